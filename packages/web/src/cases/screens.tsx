/** The three workbenches, as tabs of preset queries over the same case list. */
import { type Tab, Workbench } from './Workbench.tsx';

const intakeTabs: Tab[] = [
  { id: 'new', label: 'wb.tab.new', query: { status: 'reported,verifying' } },
  { id: 'verifying', label: 'wb.tab.verifying', query: { status: 'verifying' } },
  { id: 'to-close', label: 'wb.tab.toClose', query: { status: 'checked' } },
  { id: 'filed', label: 'wb.tab.filed', query: { status: 'filed,dispatched,handling,handled' } },
];

const dispatchTabs: Tab[] = [
  { id: 'filed', label: 'wb.tab.toDispatch', query: { status: 'filed' }, byDeadline: true },
  { id: 'return', label: 'wb.tab.return', query: { pending: 'return' } },
  { id: 'extension', label: 'wb.tab.extension', query: { pending: 'extension' } },
  { id: 'suspension', label: 'wb.tab.suspension', query: { pending: 'suspension' } },
  { id: 'warning', label: 'wb.tab.warning', query: { warning: true }, byDeadline: true },
  { id: 'overdue', label: 'wb.tab.overdue', query: { overdue: true }, byDeadline: true },
  { id: 'active', label: 'wb.tab.active', query: { status: 'dispatched,handling,suspended' } },
];

const handlingTabs: Tab[] = [
  { id: 'new', label: 'wb.tab.toAccept', query: { status: 'dispatched', mine: true }, byDeadline: true },
  { id: 'handling', label: 'wb.tab.handling', query: { status: 'handling', mine: true }, byDeadline: true },
  { id: 'handled', label: 'wb.tab.handled', query: { status: 'handled,checked', mine: true } },
  { id: 'history', label: 'wb.tab.history', query: { status: 'closed', mine: true } },
];

export function IntakeWorkbench() {
  return <Workbench testId="intake" title="wb.intake" tabs={intakeTabs} withMap showDuplicates />;
}

export function DispatchWorkbench() {
  return <Workbench testId="dispatch" title="wb.dispatch" tabs={dispatchTabs} withMap />;
}

export function HandlingWorkbench() {
  // Search and a map: a department finds its tasks by place, not only by number (issue 18).
  return <Workbench testId="handling" title="wb.handling" tabs={handlingTabs} withMap />;
}
