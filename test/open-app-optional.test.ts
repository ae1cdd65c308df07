/**
 * openApp loads the language-model features (and the openai client) and the forget machinery only
 * when they are used (src/service/open-app.ts): configured, the features are there as before; not
 * configured, they are absent; forgetting a recipient through the App still forgets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addTopic, profileSummary, type Recipient } from '../src/recommend/index.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

const alice: Recipient = { kind: 'user', platform: 'cli', id: 'alice' };

describe('openApp with optional parts loaded on use', () => {
  let app: SampleApp | undefined;
  afterEach(async () => {
    await app?.dispose();
    app = undefined;
  });

  it('builds the language-model features when an endpoint is configured, and none when not', async () => {
    app = await openSampleApp({ ingestSample: false, env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', PAPERFEED_LLM_MODEL: 'local-model' } });
    expect(app.llm?.model).toBe('local-model');
    expect(app.llm).toBe(app.llm); // one instance per App
    await app.dispose();
    app = await openSampleApp({ ingestSample: false });
    expect(app.llm).toBeUndefined();
  });

  it('forgets a recipient through the App', async () => {
    app = await openSampleApp({ ingestSample: false });
    await addTopic(app, alice, 'graph neural networks');
    expect((await profileSummary(app, alice)).profile.topics).toHaveLength(1);
    const out = await app.forgetRecipient(alice);
    expect(out.deleted.length).toBeGreaterThan(0);
    expect((await profileSummary(app, alice)).profile.topics).toHaveLength(0);
  });
});
