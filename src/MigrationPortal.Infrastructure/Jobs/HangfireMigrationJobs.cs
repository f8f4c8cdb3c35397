using Hangfire;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Jobs;

/// <summary>Queues work on Hangfire, whose storage is the portal's own database, so any node's server may pick it up.</summary>
public sealed class HangfireMigrationJobs(IBackgroundJobClient client) : IMigrationJobs
{
    public void EnqueueRun(Guid requestId) => client.Enqueue<PortalJobs>(j => j.RunMigrationAsync(requestId, CancellationToken.None));

    public void NudgeDispatcher() => client.Enqueue<PortalJobs>(j => j.DispatchAsync(CancellationToken.None));

    public void EnqueueSync(Guid connectionId) => client.Enqueue<PortalJobs>(j => j.SyncConnectionAsync(connectionId, CancellationToken.None));
}
