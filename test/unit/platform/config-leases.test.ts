import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/platform/config.ts';

describe('config: instance id and lease length', () => {
  it('defaults: a lease of two minutes and an instance id unique to the process', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.leaseMs).to.equal(120_000);
    expect(a.instanceId).to.match(new RegExp(`-${process.pid}-[0-9a-f]{6}$`));
    expect(a.instanceId).to.not.equal(b.instanceId);
    expect(loadConfig({ TALKREEL_INSTANCE_ID: ' web-1 ' }).instanceId).to.equal('web-1');
    // Long timeouts lengthen the default lease rather than refuse to start.
    expect(loadConfig({ TALKREEL_FETCH_TIMEOUT_MS: '120000' }).leaseMs).to.equal(240_000);
  });

  it('refuses a lease no longer than the fetch or delivery timeout', () => {
    expect(() => loadConfig({ TALKREEL_LEASE_MS: '15000' })).to.throw(
      ConfigError,
      /TALKREEL_LEASE_MS \(15000\) must exceed/,
    );
    expect(() =>
      loadConfig({ TALKREEL_LEASE_MS: '5000', TALKREEL_DELIVER_TIMEOUT_MS: '6000', TALKREEL_FETCH_TIMEOUT_MS: '1000' }),
    ).to.throw(ConfigError);
    expect(
      loadConfig({ TALKREEL_LEASE_MS: '3000', TALKREEL_FETCH_TIMEOUT_MS: '2000', TALKREEL_DELIVER_TIMEOUT_MS: '2000' })
        .leaseMs,
    ).to.equal(3000);
  });
});
