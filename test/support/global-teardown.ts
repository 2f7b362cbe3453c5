export default async function globalTeardown(): Promise<void> {
  await globalThis.__KEHU_TEST_TEARDOWN__?.();
}
