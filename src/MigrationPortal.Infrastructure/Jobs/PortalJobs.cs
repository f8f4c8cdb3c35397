using System.ComponentModel;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Infrastructure.Jobs;

/// <summary>
/// Hangfire's entry points. Each takes IDs only and hands over to a use case, which reloads and checks state, so a job
/// that runs twice (at-least-once delivery, a retry after a crash) does no harm. Hangfire creates a DI scope per job.
/// </summary>
public sealed class PortalJobs(RunMigration run, DispatchDueRequests dispatch, MigrationPortal.Application.Utilisation.EvaluatePostMoveWatches watches, ExpireStaleRequests expire, ReconcileStaleMigrations reconcile, SyncInventory sync, PortalDbContext db,
    IRecurringJobManager recurring, JobStorage jobStorage, MigrationPortal.Application.Abstractions.IMigrationJobs jobs)
{
    public const string DispatcherJobId = "dispatch-due-requests";
    public const string ExpiryJobId = "expire-stale-requests";
    public const string ReconcileJobId = "reconcile-stale-migrations";
    public const string InventoryJobId = "sync-inventory";

    /// <summary>
    /// Two nodes never run the same request at once: the use case holds the request's lease in the portal database
    /// (<see cref="RunLeases"/>), and a job that finds it held by a live run ends at once. No Hangfire lock: a dead node's
    /// lock would block every re-run until the storage's lock timeout (10 minutes on PostgreSQL) and fail the waiters.
    /// </summary>
    [DisplayName("Run migration {0}")]
    [AutomaticRetry(Attempts = 3, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunMigrationAsync(Guid requestId, CancellationToken ct)
    {
        await run.HandleAsync(requestId, ct);
        // The run may have ended and freed its concurrency slots: let a queued request take them now, not at the next tick.
        jobs.NudgeDispatcher();
    }

    /// <summary>
    /// No Hangfire lock: every decision is guarded in the database (see <see cref="DispatchDueRequests"/>). The same tick
    /// concludes the post-move watches whose period has ended (the watch's state guards against two nodes doing it).
    /// </summary>
    [DisplayName("Dispatch due requests")]
    [AutomaticRetry(Attempts = 0)]
    public async Task DispatchAsync(CancellationToken ct)
    {
        await dispatch.HandleAsync(ct);
        await watches.HandleAsync(ct);
    }

    [DisplayName("Expire undecided requests")]
    [AutomaticRetry(Attempts = 0)]
    public Task ExpireAsync(CancellationToken ct) => expire.HandleAsync(ct);

    [DisplayName("Reconcile interrupted migrations")]
    [AutomaticRetry(Attempts = 0)]
    public Task ReconcileAsync(CancellationToken ct) => reconcile.HandleAsync(ct);

    /// <summary>Prefix of the per-connection recurring inventory jobs ("sync-inventory:{connection id}").</summary>
    public const string ConnectionInventoryJobPrefix = InventoryJobId + ":";

    /// <summary>
    /// The recurring entry point of inventory sync. Every hypervisor connection gets a recurring job of its own (created
    /// here within one period of the connection being added, removed once the connection is gone), so a slow or broken
    /// vCenter neither delays nor fails the others, and each keeps its own history in the dashboard. The demo inventory
    /// lives in the portal's own database, so it is synced right here.
    /// </summary>
    [DisplayName("Sync inventory: keep one recurring job per connection")]
    [DisableConcurrentExecution("inventory-sync", 30)]
    [AutomaticRetry(Attempts = 0)]
    public async Task SyncAllInventoriesAsync(string cron, CancellationToken ct)
    {
        var connections = await db.Connections.Select(c => new { c.Id, c.Kind }).ToListAsync(ct);
        var wanted = new HashSet<string>();
        foreach (var connection in connections)
        {
            if (connection.Kind == ConnectionKinds.Demo)
            {
                await SyncConnectionQuietlyAsync(connection.Id, ct);
                continue;
            }

            var jobId = ConnectionInventoryJobPrefix + connection.Id;
            wanted.Add(jobId);
            var id = connection.Id;
            recurring.AddOrUpdate<PortalJobs>(jobId, j => j.SyncConnectionAsync(id, CancellationToken.None), cron);
        }

        using var storage = jobStorage.GetConnection();
        foreach (var stale in storage.GetRecurringJobs().Select(j => j.Id).Where(id => id.StartsWith(ConnectionInventoryJobPrefix, StringComparison.Ordinal) && !wanted.Contains(id)))
            recurring.RemoveIfExists(stale);
    }

    [DisplayName("Sync inventory of connection {0}")]
    [DisableConcurrentExecution("inventory-sync:{0}", 30)]
    [AutomaticRetry(Attempts = 0)]
    public async Task SyncConnectionAsync(Guid connectionId, CancellationToken ct)
    {
        if (!await db.Connections.AnyAsync(c => c.Id == connectionId, ct))
        {
            recurring.RemoveIfExists(ConnectionInventoryJobPrefix + connectionId);
            return;
        }

        await sync.HandleAsync(PortalUser.System, connectionId, ct);
    }

    private async Task SyncConnectionQuietlyAsync(Guid connectionId, CancellationToken ct)
    {
        try
        {
            await sync.HandleAsync(PortalUser.System, connectionId, ct);
        }
        catch (MigrationPortal.Application.Abstractions.ConnectorException)
        {
            // Recorded on the connection (LastSyncError).
        }
    }
}
