using Microsoft.EntityFrameworkCore;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Audit;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Abstractions;

/// <summary>
/// The portal's unit of work as use cases see it. Saving also seals any new audit events into the hash chain
/// in the same transaction, so a change and its audit record commit or fail together.
/// </summary>
public interface IPortalDb : IAsyncDisposable
{
    DbSet<MigrationRequest> Requests { get; }
    DbSet<MigrationBatch> Batches { get; }
    DbSet<MigrationProgress> Progress { get; }
    DbSet<ApprovalRule> ApprovalRules { get; }
    DbSet<AuditEvent> AuditEvents { get; }
    DbSet<Connection> Connections { get; }
    DbSet<MigrationPortal.Domain.Inventory.Application> Applications { get; }
    DbSet<InventoryCluster> Clusters { get; }
    DbSet<InventoryHost> Hosts { get; }
    DbSet<InventoryDatastore> Datastores { get; }
    DbSet<InventoryVm> Vms { get; }
    DbSet<InventoryNetwork> Networks { get; }
    DbSet<UserGroupMembership> GroupMemberships { get; }
    DbSet<MaintenanceWindow> MaintenanceWindows { get; }
    DbSet<Blackout> Blackouts { get; }
    DbSet<ConcurrencyLimit> ConcurrencyLimits { get; }
    DbSet<CapacitySlot> CapacitySlots { get; }
    DbSet<Execution.RunLease> RunLeases { get; }
    DbSet<CalendarFeed> CalendarFeeds { get; }
    DbSet<Domain.Mappings.NetworkMap> NetworkMaps { get; }
    DbSet<Domain.Mappings.StorageMap> StorageMaps { get; }
    DbSet<Notifications.NotificationCursor> NotificationCursors { get; }
    DbSet<Notifications.DirectoryContact> DirectoryContacts { get; }
    DbSet<Domain.Access.AccessToken> AccessTokens { get; }
    DbSet<Domain.Rules.PlacementRule> PlacementRules { get; }
    DbSet<Domain.Rules.ClusterHeadroom> ClusterHeadrooms { get; }
    DbSet<Domain.Utilisation.UtilisationSample> UtilisationSamples { get; }
    DbSet<Domain.Utilisation.PostMoveWatch> PostMoveWatches { get; }

    /// <summary>The last sealed event (sequence and hash) as recorded by the chain head row, or null before the first event.</summary>
    Task<(long Sequence, string Hash)?> GetAuditChainHeadAsync(CancellationToken ct);

    Task<int> SaveChangesAsync(CancellationToken ct = default);

    /// <summary>
    /// Runs reads that must see one moment of the database (the chain head and the events it should match) in one
    /// read-only snapshot transaction, so concurrent writers can neither appear between two statements nor be blocked on
    /// the databases that can avoid it.
    /// </summary>
    Task<T> ReadConsistentAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken ct);

    /// <summary>
    /// Runs work that saves more than once (Identity's user store saves on its own) in one transaction, so the change and
    /// its audit record still commit or fail together.
    /// </summary>
    Task InTransactionAsync(Func<CancellationToken, Task> work, CancellationToken ct);

    /// <summary>
    /// Inserts many new rows of a flat entity in a few multi-row statements, on the current transaction, without change
    /// tracking (SaveChanges would send one command per row on SQLite). The rows must carry their keys.
    /// </summary>
    Task InsertManyAsync<T>(IReadOnlyCollection<T> rows, CancellationToken ct) where T : class;

    /// <summary>Forgets every pending change, after a lost concurrency race, so the next load sees the database.</summary>
    void DiscardChanges();
}

/// <summary>Opens a fresh unit of work, for work that must commit on its own (an access-denied audit record, a progress heartbeat).</summary>
public interface IPortalDbFactory
{
    Task<IPortalDb> CreateAsync(CancellationToken ct = default);
}

/// <summary>Membership of a local account in an approver or owner group. Entra ID users bring their groups in the token instead.</summary>
public sealed class UserGroupMembership
{
    public long Id { get; set; }
    public string UserId { get; set; } = "";
    public string Group { get; set; } = "";
}
