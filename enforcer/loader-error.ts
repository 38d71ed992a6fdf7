/**
 * A failure of the loader process or of a request to it, with a stable code: the
 * loader's own codes (ATTACH_FAILED, CGROUP_NOT_V2, BPF_LOAD_FAILED, …; see
 * docs/enforcer.md) or the agent's (LOADER_BUILD_FAILED, LOADER_EXITED, LOADER_TIMEOUT).
 */
export class LoaderError extends Error {
  override readonly name = 'LoaderError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
