namespace MigrationPortal.Application.Abstractions;

/// <summary>
/// The fast path for live pages: a job tells open pages on the same node that a request changed. Pages also re-read the
/// database about every second while a migration runs, which is what makes progress visible when the job runs on another node.
/// </summary>
public interface IRequestChangeNotifier
{
    void RequestChanged(Guid requestId);
}

/// <summary>Used where no page listens (tests, jobs-only processes).</summary>
public sealed class NoRequestChangeNotifier : IRequestChangeNotifier
{
    public void RequestChanged(Guid requestId) { }
}
