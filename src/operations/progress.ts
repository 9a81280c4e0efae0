/**
 * A progress callback as the operations call it: best effort, so a callback that throws (a class
 * passed by mistake, a closed terminal) never fails or rolls back the work it reports on.
 */
export function progressReporter(onProgress: ((step: string) => void) | undefined): ((step: string) => void) | undefined {
  if (onProgress === undefined) return undefined;
  return step => {
    try {
      onProgress(step);
    } catch {
      // Reporting progress is not part of the work.
    }
  };
}
