using System.Collections.Concurrent;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Testing;

/// <summary>Stands in for Hangfire: records what would be queued, and the test runs the job itself.</summary>
public sealed class RecordingJobs : IMigrationJobs
{
    public ConcurrentQueue<Guid> Runs { get; } = new();
    public ConcurrentQueue<Guid> Syncs { get; } = new();
    public int DispatcherNudges;

    public void EnqueueRun(Guid requestId) => Runs.Enqueue(requestId);

    public void NudgeDispatcher() => Interlocked.Increment(ref DispatcherNudges);

    public void EnqueueSync(Guid connectionId) => Syncs.Enqueue(connectionId);
}
