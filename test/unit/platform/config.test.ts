import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/platform/config.ts';

describe('config: instance identity and change-log retention', () => {
  it('names the instance <hostname>-<pid>-<random> by default, differently in every process', () => {
    const [one, two] = [loadConfig({}), loadConfig({})];
    expect(one.instanceId).to.match(new RegExp(`-${process.pid}-[0-9a-f]{6}$`));
    expect(one.instanceId).to.not.equal(two.instanceId);
    expect(one.changeLogRetentionDays).to.equal(7);
  });

  it('takes TALKREEL_INSTANCE_ID and TALKREEL_CHANGE_LOG_RETENTION_DAYS', () => {
    const config = loadConfig({ TALKREEL_INSTANCE_ID: 'web-2', TALKREEL_CHANGE_LOG_RETENTION_DAYS: '30' });
    expect(config.instanceId).to.equal('web-2');
    expect(config.changeLogRetentionDays).to.equal(30);
  });

  it('refuses an instance id that would not read well in logs', () => {
    expect(() => loadConfig({ TALKREEL_INSTANCE_ID: 'two words' })).to.throw(ConfigError, /TALKREEL_INSTANCE_ID/);
    expect(() => loadConfig({ TALKREEL_CHANGE_LOG_RETENTION_DAYS: '0' })).to.throw(ConfigError, /RETENTION_DAYS/);
  });
});
