/** The OneGrid mark: a grid cell with a highlighted centre, and the name in both languages. */
export function Logo({ size = 'normal' }: { size?: 'normal' | 'large' }) {
  const px = size === 'large' ? 44 : 30;
  return (
    <span className={`logo logo--${size}`}>
      <svg width={px} height={px} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="7" fill="#1463c8" />
        <path d="M8 8h16v16H8z" fill="none" stroke="#ffffff" strokeWidth="2" />
        <path d="M16 8v16M8 16h16" stroke="#9fd0ff" strokeWidth="1.5" />
        <circle cx="16" cy="16" r="3.2" fill="#ffb020" />
      </svg>
      <span className="logo__text">
        <span className="logo__en">OneGrid</span>
        <span className="logo__zh">一网统管</span>
      </span>
    </span>
  );
}
