using System.Data;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Notifications;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Audit;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Scheduling;
using MigrationPortal.Infrastructure.Connectors.Demo;
using MigrationPortal.Infrastructure.Identity;

namespace MigrationPortal.Infrastructure.Persistence;

/// <summary>
/// The portal's one database: domain data, Identity accounts, Data Protection keys and the demo world.
/// Saving seals new audit events into the hash chain inside the same transaction (see <see cref="SaveChangesAsync(bool, CancellationToken)"/>).
/// </summary>
public sealed class PortalDbContext : IdentityDbContext<PortalAccount>, IPortalDb, IDataProtectionKeyContext
{
    // Events in the order the use case added them; change-tracker enumeration order is not guaranteed.
    private readonly List<AuditEvent> _pendingAudit = [];

    public PortalDbContext(DbContextOptions<PortalDbContext> options) : base(options)
    {
        ChangeTracker.Tracked += OnTracked;
    }

    public DbSet<MigrationRequest> Requests => Set<MigrationRequest>();
    public DbSet<MigrationBatch> Batches => Set<MigrationBatch>();
    public DbSet<MigrationProgress> Progress => Set<MigrationProgress>();
    public DbSet<ApprovalRule> ApprovalRules => Set<ApprovalRule>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<AuditChainHead> AuditChainHeads => Set<AuditChainHead>();
    public DbSet<Connection> Connections => Set<Connection>();
    public DbSet<MigrationPortal.Domain.Inventory.Application> Applications => Set<MigrationPortal.Domain.Inventory.Application>();
    public DbSet<InventoryCluster> Clusters => Set<InventoryCluster>();
    public DbSet<InventoryHost> Hosts => Set<InventoryHost>();
    public DbSet<InventoryDatastore> Datastores => Set<InventoryDatastore>();
    public DbSet<InventoryVm> Vms => Set<InventoryVm>();
    public DbSet<InventoryNetwork> Networks => Set<InventoryNetwork>();
    public DbSet<UserGroupMembership> GroupMemberships => Set<UserGroupMembership>();
    public DbSet<MaintenanceWindow> MaintenanceWindows => Set<MaintenanceWindow>();
    public DbSet<Blackout> Blackouts => Set<Blackout>();
    public DbSet<ConcurrencyLimit> ConcurrencyLimits => Set<ConcurrencyLimit>();
    public DbSet<CapacitySlot> CapacitySlots => Set<CapacitySlot>();
    public DbSet<MigrationPortal.Application.Execution.RunLease> RunLeases => Set<MigrationPortal.Application.Execution.RunLease>();
    public DbSet<CalendarFeed> CalendarFeeds => Set<CalendarFeed>();
    public DbSet<Domain.Mappings.NetworkMap> NetworkMaps => Set<Domain.Mappings.NetworkMap>();
    public DbSet<Domain.Mappings.StorageMap> StorageMaps => Set<Domain.Mappings.StorageMap>();
    public DbSet<NotificationCursor> NotificationCursors => Set<NotificationCursor>();
    public DbSet<DirectoryContact> DirectoryContacts => Set<DirectoryContact>();
    public DbSet<MigrationPortal.Domain.Access.AccessToken> AccessTokens => Set<MigrationPortal.Domain.Access.AccessToken>();
    public DbSet<Domain.Rules.PlacementRule> PlacementRules => Set<Domain.Rules.PlacementRule>();
    public DbSet<Domain.Rules.ClusterHeadroom> ClusterHeadrooms => Set<Domain.Rules.ClusterHeadroom>();
    public DbSet<MigrationPortal.Domain.Utilisation.UtilisationSample> UtilisationSamples => Set<MigrationPortal.Domain.Utilisation.UtilisationSample>();
    public DbSet<MigrationPortal.Domain.Utilisation.PostMoveWatch> PostMoveWatches => Set<MigrationPortal.Domain.Utilisation.PostMoveWatch>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<DemoVm> DemoVms => Set<DemoVm>();
    public DbSet<DemoTask> DemoTasks => Set<DemoTask>();

    public async Task<(long Sequence, string Hash)?> GetAuditChainHeadAsync(CancellationToken ct)
    {
        var head = await AuditChainHeads.AsNoTracking().FirstOrDefaultAsync(h => h.Id == AuditChainHead.SingletonId, ct);
        return head is null || head.LastSequence == 0 ? null : (head.LastSequence, head.LastHash);
    }

    public async Task InTransactionAsync(Func<CancellationToken, Task> work, CancellationToken ct)
    {
        await using var transaction = await Database.BeginTransactionAsync(ct);
        await work(ct);
        await transaction.CommitAsync(ct);
    }

    public async Task<T> ReadConsistentAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken ct)
    {
        if (Database.CurrentTransaction is not null) throw new InvalidOperationException("A consistent read opens its own transaction; call it outside one.");
        await Database.OpenConnectionAsync(ct);
        try
        {
            // PostgreSQL's repeatable read is a snapshot. SQL Server's holds its shared locks to the end, so a writer (which
            // locks the chain head first) waits for the read rather than slipping rows in between its statements. SQLite in
            // WAL mode gives a deferred transaction one snapshot from its first read, and does not block writers.
            await using var transaction = Database.GetDbConnection() is SqliteConnection sqlite
                ? await Database.UseTransactionAsync(sqlite.BeginTransaction(deferred: true), ct)
                : await Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            var result = await read(ct);
            await transaction!.CommitAsync(ct);
            return result;
        }
        finally
        {
            await Database.CloseConnectionAsync();
        }
    }

    public Task InsertManyAsync<T>(IReadOnlyCollection<T> rows, CancellationToken ct) where T : class => BulkInsert.InsertAsync(this, rows, ct);

    public void DiscardChanges()
    {
        ChangeTracker.Clear();
        _pendingAudit.Clear();
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        SaveChangesAsync(acceptAllChangesOnSuccess).GetAwaiter().GetResult();

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        try
        {
            return await SaveAndSealAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        catch (DbUpdateException e) when (e is not UniqueConstraintException && DatabaseErrors.IsUniqueViolation(e))
        {
            // A row another unit of work wrote first (the same approver deciding on two nodes): a race, not a fault.
            throw new UniqueConstraintException(e);
        }
    }

    private async Task<int> SaveAndSealAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken)
    {
        var toSeal = _pendingAudit.Where(e => Entry(e).State == EntityState.Added && string.IsNullOrEmpty(e.Hash)).ToList();
        if (toSeal.Count == 0) return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);

        var ownTransaction = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            // Take the chain head's row lock first: concurrent appenders on any node wait here, then read the head we leave.
            await AuditChainHeads.Where(h => h.Id == AuditChainHead.SingletonId)
                .ExecuteUpdateAsync(s => s.SetProperty(h => h.LastSequence, h => h.LastSequence), cancellationToken);
            var head = await AuditChainHeads.AsNoTracking().FirstAsync(h => h.Id == AuditChainHead.SingletonId, cancellationToken);
            var (sequence, hash) = (head.LastSequence, head.LastHash);
            // Every append moves the head in its own transaction, so a row past the head was written out of band. Sealing
            // at head + 1 would collide with it and fail every audited write (sign-in included) until someone deleted it
            // by hand. Instead seal after the highest row, still linking to the recorded head's hash so the forged rows
            // stay outside the chain (verification names them), and say so in an event of our own that alerts auditors.
            var highest = await AuditEvents.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
            if (highest > sequence)
            {
                var alert = new AuditEvent(toSeal[0].At, Actor.System.Id, Actor.System.Name, AuditActions.ChainAnomaly, nameof(AuditEvent), null, null, null,
                    JsonSerializer.Serialize(new
                    {
                        recordedHead = head.LastSequence,
                        firstUnchained = head.LastSequence + 1,
                        highestFound = highest,
                        problem = $"Audit rows {head.LastSequence + 1}-{highest} were found past the recorded chain head (written outside the portal). " +
                            $"New events are sealed after {highest} and link to event {head.LastSequence}; verification reports the rows in between.",
                    }));
                AuditEvents.Add(alert);
                _pendingAudit.Remove(alert);
                toSeal.Insert(0, alert);
                sequence = highest;
            }

            foreach (var e in toSeal)
            {
                e.Seal(sequence + 1, hash);
                (sequence, hash) = (e.Sequence, e.Hash);
            }

            var written = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            await AuditChainHeads.Where(h => h.Id == AuditChainHead.SingletonId)
                .ExecuteUpdateAsync(s => s.SetProperty(h => h.LastSequence, sequence).SetProperty(h => h.LastHash, hash), cancellationToken);
            if (ownTransaction is not null) await ownTransaction.CommitAsync(cancellationToken);
            _pendingAudit.RemoveAll(toSeal.Contains);
            return written;
        }
        catch
        {
            if (ownTransaction is not null) await ownTransaction.RollbackAsync(CancellationToken.None);
            // The events were not written: unseal them by detaching, so a retry adds fresh ones rather than stale hashes.
            foreach (var e in toSeal) Entry(e).State = EntityState.Detached;
            _pendingAudit.RemoveAll(toSeal.Contains);
            throw;
        }
        finally
        {
            if (ownTransaction is not null) await ownTransaction.DisposeAsync();
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no date-time-offset type and cannot compare or order the text form; store UTC ticks instead.
        if (Database.IsSqlite()) configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        base.OnModelCreating(b);
        b.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);
        // SQLite stores a Guid as 36 characters of text; the utilisation samples' key is 16 bytes instead (two million rows per 1,000 VMs).
        if (Database.IsSqlite()) b.Entity<MigrationPortal.Domain.Utilisation.UtilisationSample>().Property(s => s.SubjectId).HasConversion<byte[]>();
        // SQL Server's filter in brackets: a script run by sqlcmd (QUOTED_IDENTIFIER off by default) must not read "State" as a string.
        if (Database.IsSqlServer())
            b.Entity<MigrationRequest>().HasIndex(r => r.VmId, MigrationRequestConfiguration.OneActiveRequestPerVm).HasFilter(MigrationRequestConfiguration.ActiveFilter('[', ']'));
    }

    private void OnTracked(object? sender, EntityTrackedEventArgs e)
    {
        if (!e.FromQuery && e.Entry.Entity is AuditEvent audit && e.Entry.State == EntityState.Added) _pendingAudit.Add(audit);
    }
}
