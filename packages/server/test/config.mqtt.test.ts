import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

const problems = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
};

describe('broker credentials in the configuration', () => {
  it('reads the workers’ and the administrator’s credentials in server mode', () => {
    const c = loadConfig({
      MQTT_URL: 'mqtt://broker:1883',
      ONEGRID_MQTT_USERNAME: 'onegrid-ingest',
      ONEGRID_MQTT_PASSWORD: 'w-secret',
      ONEGRID_MQTT_ADMIN_USERNAME: 'onegrid-admin',
      ONEGRID_MQTT_ADMIN_PASSWORD: 'a-secret',
    });
    expect(c).toMatchObject({
      mqttUsername: 'onegrid-ingest',
      mqttPassword: 'w-secret',
      mqttAdminUsername: 'onegrid-admin',
      mqttAdminPassword: 'a-secret',
    });
    expect(loadConfig({})).toMatchObject({ mqttUsername: undefined, mqttAdminUsername: undefined });
  });

  it('lists every inconsistency at once', () => {
    const p = problems({
      ONEGRID_MQTT_USERNAME: 'onegrid-ingest',
      ONEGRID_MQTT_ADMIN_USERNAME: 'onegrid-ingest',
      ONEGRID_MQTT_ADMIN_PASSWORD: 'x',
    });
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringContaining('ONEGRID_MQTT_USERNAME and ONEGRID_MQTT_PASSWORD go together'),
        expect.stringContaining('ONEGRID_MQTT_USERNAME is for an external broker'),
        expect.stringContaining('ONEGRID_MQTT_ADMIN_USERNAME is for an external broker'),
        expect.stringContaining('must be different broker clients'),
      ]),
    );
  });
});
