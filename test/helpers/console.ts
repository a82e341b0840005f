/**
 * Shared steps of the console's browser tests: the built `hub` CLI against a test hub, adding a user (its first
 * password as printed), signing in through the form, and a browser context's session cookie for fetch calls.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROOT, type TestHub } from './test-hub.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `hub` command against a test hub's configuration and schema. */
export function hubCli(t: TestHub, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/cli/hub.js'), ...args], { cwd: ROOT, env: { ...t.env, LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** `hub users add <name> --role <role>`; returns the first password it printed on its `password: …` line. */
export async function addUser(t: TestHub, name: string, role: string): Promise<string> {
  const r = await hubCli(t, 'users', 'add', name, '--role', role);
  expect(r.status, r.stderr).to.equal(0);
  const line = /^password: (\S+)$/m.exec(r.stdout);
  expect(line, r.stdout).to.not.equal(null);
  return line![1]!;
}

/** Signs in through the form and waits for the home page. */
export async function signIn(page: Page, t: TestHub, name: string, password: string): Promise<void> {
  await page.goto(`${t.url}/console/login`);
  await page.fill('input[name=username]', name);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(`${t.url}/console`), page.click('button[type=submit]')]);
}

/** A new browser context signed in as the user. */
export async function signedInPage(browser: Browser, t: TestHub, name: string, password: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, t, name, password);
  return { context, page };
}

/** The context's session cookie as a `cookie` header value, for requests made without the browser. */
export async function sessionCookie(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name === 'hub_console_session');
  expect(cookie, 'session cookie').to.not.equal(undefined);
  return `${cookie!.name}=${cookie!.value}`;
}
