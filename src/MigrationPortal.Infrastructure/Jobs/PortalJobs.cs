using System.ComponentModel;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Infrastructure.Jobs;

/// <summary>
/// Hangfire's entry points. Each takes IDs only and hands over to a use case, which reloads and checks state, so a job
/// that runs twice (at-least-once delivery, a retry after a crash) does no harm. Hangfire creates a DI scope per job.
/// </summary>
public sealed class PortalJobs(RunMigration run, DispatchDueRequests dispatch, ExpireStaleRequests expire, ReconcileStaleMigrations reconcile, SyncInventory sync, PortalDbContext db,
    MigrationPortal.Application.Abstractions.IMigrationJobs jobs)
{
    public const string DispatcherJobId = "dispatch-due-requests";
    public const string ExpiryJobId = "expire-stale-requests";
    public const string ReconcileJobId = "reconcile-stale-migrations";
    public const string InventoryJobId = "sync-inventory";

    /// <summary>The lock is per request and held in job storage, so two nodes never run the same request at once.</summary>
    [DisplayName("Run migration {0}")]
    [DisableConcurrentExecution("migration:{0}", 30)]
    [AutomaticRetry(Attempts = 3, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunMigrationAsync(Guid requestId, CancellationToken ct)
    {
        await run.HandleAsync(requestId, ct);
        // The run may have ended and freed its concurrency slots: let a queued request take them now, not at the next tick.
        jobs.NudgeDispatcher();
    }

    [DisplayName("Dispatch due requests")]
    [DisableConcurrentExecution("dispatcher", 30)]
    [AutomaticRetry(Attempts = 0)]
    public Task DispatchAsync(CancellationToken ct) => dispatch.HandleAsync(ct);

    [DisplayName("Expire undecided requests")]
    [AutomaticRetry(Attempts = 0)]
    public Task ExpireAsync(CancellationToken ct) => expire.HandleAsync(ct);

    [DisplayName("Reconcile interrupted migrations")]
    [AutomaticRetry(Attempts = 0)]
    public Task ReconcileAsync(CancellationToken ct) => reconcile.HandleAsync(ct);

    [DisplayName("Sync inventory of every connection")]
    [DisableConcurrentExecution("inventory-sync", 30)]
    [AutomaticRetry(Attempts = 0)]
    public async Task SyncAllInventoriesAsync(CancellationToken ct)
    {
        var ids = await db.Connections.Select(c => c.Id).ToListAsync(ct);
        foreach (var id in ids)
        {
            try
            {
                await sync.HandleAsync(PortalUser.System, id, ct);
            }
            catch (MigrationPortal.Application.Abstractions.ConnectorException)
            {
                // Recorded on the connection (LastSyncError); the other connections still sync.
            }
        }
    }
}
