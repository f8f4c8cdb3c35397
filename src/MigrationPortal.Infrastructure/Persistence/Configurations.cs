using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Audit;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Infrastructure.Persistence;

internal sealed class MigrationRequestConfiguration : IEntityTypeConfiguration<MigrationRequest>
{
    public const string OneActiveRequestPerVm = "IX_Requests_VmId_Active";

    /// <summary>The states of <see cref="RequestTransitions.IsActive"/>, as stored (the enum's names).</summary>
    public static string ActiveFilter(char open = '"', char close = '"') => $"{open}State{close} IN (" + string.Join(", ",
        Enum.GetValues<RequestState>().Where(RequestTransitions.IsActive).Select(s => $"'{s}'")) + ")";

    private static readonly JsonSerializerOptions ConversionJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public void Configure(EntityTypeBuilder<MigrationRequest> b)
    {
        b.HasKey(r => r.Id);
        b.Property(r => r.Version).IsConcurrencyToken();
        b.Property(r => r.State).HasConversion<string>().HasMaxLength(32);
        b.Property(r => r.Kind).HasConversion<string>().HasMaxLength(32);
        b.Property(r => r.VmName).HasMaxLength(256);
        b.Property(r => r.ApplicationName).HasMaxLength(256);
        b.Property(r => r.Justification).HasMaxLength(2000);
        b.Property(r => r.RequesterId).HasMaxLength(450);
        b.Property(r => r.RequesterName).HasMaxLength(256);
        b.Property(r => r.ApproverGroup).HasMaxLength(256);
        b.Property(r => r.OperationId).HasMaxLength(512);
        b.Property(r => r.SnapshotId).HasMaxLength(512);
        b.Property(r => r.EstimateBasis).HasMaxLength(1000);
        b.Property(r => r.QueueReason).HasMaxLength(1000);
        b.Property(r => r.AttentionReason).HasMaxLength(2000);
        b.OwnsOne(r => r.Target, t =>
        {
            t.Property(x => x.ConnectionId).HasColumnName("TargetConnectionId");
            t.Property(x => x.HostId).HasColumnName("TargetHostId").HasMaxLength(512);
            t.Property(x => x.HostName).HasColumnName("TargetHostName").HasMaxLength(256);
            t.Property(x => x.DatastoreId).HasColumnName("TargetDatastoreId").HasMaxLength(512);
            t.Property(x => x.DatastoreName).HasColumnName("TargetDatastoreName").HasMaxLength(256);
            t.Property(x => x.PoolId).HasColumnName("TargetPoolId").HasMaxLength(512);
        });
        b.OwnsOne(r => r.Schedule, s =>
        {
            s.Property(x => x.Mode).HasColumnName("ScheduleMode").HasConversion<string>().HasMaxLength(32);
            s.Property(x => x.NotBefore).HasColumnName("ScheduleNotBefore");
            s.Property(x => x.WindowId).HasColumnName("ScheduleWindowId");
        });
        b.OwnsOne(r => r.Options, o =>
        {
            o.Property(x => x.TakeSnapshot).HasColumnName("TakeSnapshot");
            o.Property(x => x.RequireEncryption).HasColumnName("RequireEncryption");
        });
        // One JSON text column: the maps are a copy taken at submission, read and written whole, never queried.
        b.Property(r => r.Conversion).HasColumnName("ConversionJson").HasConversion(
            v => v == null ? null : JsonSerializer.Serialize(v, ConversionJson),
            v => v == null ? null : JsonSerializer.Deserialize<ConversionSettings>(v, ConversionJson),
            new ValueComparer<ConversionSettings?>((a, c) => JsonSerializer.Serialize(a, ConversionJson) == JsonSerializer.Serialize(c, ConversionJson),
                v => v == null ? 0 : JsonSerializer.Serialize(v, ConversionJson).GetHashCode(), v => v));
        b.Navigation(r => r.Target).IsRequired();
        b.Navigation(r => r.Schedule).IsRequired();
        b.Navigation(r => r.Options).IsRequired();
        b.HasMany(r => r.Transitions).WithOne().HasForeignKey(t => t.RequestId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(r => r.Decisions).WithOne().HasForeignKey(d => d.RequestId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(r => r.Steps).WithOne().HasForeignKey(s => s.RequestId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(r => r.Transitions).HasField("_transitions").UsePropertyAccessMode(PropertyAccessMode.Field);
        b.Navigation(r => r.Decisions).HasField("_decisions").UsePropertyAccessMode(PropertyAccessMode.Field);
        b.Navigation(r => r.Steps).HasField("_steps").UsePropertyAccessMode(PropertyAccessMode.Field);
        b.HasIndex(r => r.State);
        b.HasIndex(r => r.VmId);
        // One active request per VM, decided by the database on every node: a second active request for a VM fails its
        // insert or its state change, whatever any check before it saw. The filter is built for all three
        // providers from the one list of active states (SQL Server quotes the column its own way, see PortalDbContext).
        b.HasIndex(r => r.VmId, OneActiveRequestPerVm).IsUnique().HasFilter(ActiveFilter());
        b.HasIndex(r => r.ApplicationId);
        b.HasIndex(r => r.RequesterId);
    }
}

internal sealed class TransitionConfiguration : IEntityTypeConfiguration<Transition>
{
    public void Configure(EntityTypeBuilder<Transition> b)
    {
        b.ToTable("RequestTransitions");
        b.Property(t => t.From).HasConversion<string>().HasMaxLength(32);
        b.Property(t => t.To).HasConversion<string>().HasMaxLength(32);
        b.Property(t => t.ActorId).HasMaxLength(450);
        b.Property(t => t.ActorName).HasMaxLength(256);
        b.Property(t => t.Reason).HasMaxLength(4000);
    }
}

internal sealed class DecisionConfiguration : IEntityTypeConfiguration<Decision>
{
    public void Configure(EntityTypeBuilder<Decision> b)
    {
        b.ToTable("RequestDecisions");
        b.Property(d => d.Verdict).HasConversion<string>().HasMaxLength(16);
        b.Property(d => d.ApproverId).HasMaxLength(450);
        b.Property(d => d.ApproverName).HasMaxLength(256);
        b.Property(d => d.Comment).HasMaxLength(2000);
        // The database, too, refuses a second decision by the same person.
        b.HasIndex(d => new { d.RequestId, d.ApproverId }).IsUnique();
    }
}

internal sealed class MigrationStepConfiguration : IEntityTypeConfiguration<MigrationStep>
{
    public void Configure(EntityTypeBuilder<MigrationStep> b)
    {
        b.ToTable("RequestSteps");
        b.Property(s => s.Name).HasMaxLength(64);
        b.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(s => s.Message).HasMaxLength(4000);
        // Unbounded JSON (a conversion's step lists its volumes, one per disk), so no length that a VM with many disks outgrows.
        b.Property(s => s.Data);
        b.HasIndex(s => new { s.RequestId, s.Name }).IsUnique();
    }
}

internal sealed class RunLeaseConfiguration : IEntityTypeConfiguration<MigrationPortal.Application.Execution.RunLease>
{
    public void Configure(EntityTypeBuilder<MigrationPortal.Application.Execution.RunLease> b)
    {
        b.HasKey(l => l.RequestId);
        b.Property(l => l.Owner).HasMaxLength(128);
        b.HasOne<MigrationRequest>().WithMany().HasForeignKey(l => l.RequestId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MigrationProgressConfiguration : IEntityTypeConfiguration<MigrationProgress>
{
    public void Configure(EntityTypeBuilder<MigrationProgress> b)
    {
        b.HasKey(p => p.RequestId);
        b.Property(p => p.Phase).HasMaxLength(64);
    }
}

internal sealed class BatchConfiguration : IEntityTypeConfiguration<MigrationBatch>
{
    public void Configure(EntityTypeBuilder<MigrationBatch> b)
    {
        b.Property(x => x.Name).HasMaxLength(256);
        b.Property(x => x.CreatedById).HasMaxLength(450);
    }
}

internal sealed class ApprovalRuleConfiguration : IEntityTypeConfiguration<ApprovalRule>
{
    public void Configure(EntityTypeBuilder<ApprovalRule> b)
    {
        b.Property(r => r.Name).HasMaxLength(256);
        b.Property(r => r.Environment).HasMaxLength(64);
        b.Property(r => r.Criticality).HasMaxLength(64);
        b.Property(r => r.ApproverGroup).HasMaxLength(256);
        b.Property(r => r.Outcome).HasConversion<string>().HasMaxLength(32);
        b.Property(r => r.Kind).HasConversion<string>().HasMaxLength(32);
    }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> b)
    {
        b.HasKey(e => e.Id);
        b.Property(e => e.Id).ValueGeneratedNever();
        // Unique: a second writer that somehow read a stale head could never fork the chain.
        b.HasIndex(e => e.Sequence).IsUnique();
        b.Property(e => e.ActorId).HasMaxLength(450);
        b.Property(e => e.ActorName).HasMaxLength(256);
        b.Property(e => e.Action).HasMaxLength(64);
        b.Property(e => e.EntityType).HasMaxLength(64);
        b.Property(e => e.EntityId).HasMaxLength(450);
        b.Property(e => e.VmName).HasMaxLength(256);
        b.Property(e => e.PreviousHash).HasMaxLength(64);
        b.Property(e => e.Hash).HasMaxLength(64);
        b.HasIndex(e => e.At);
        b.HasIndex(e => e.RequestId);
        b.HasIndex(e => e.Action);
    }
}

internal sealed class AuditChainHeadConfiguration : IEntityTypeConfiguration<AuditChainHead>
{
    public void Configure(EntityTypeBuilder<AuditChainHead> b)
    {
        b.Property(h => h.Id).ValueGeneratedNever();
        b.Property(h => h.LastHash).HasMaxLength(64);
        b.HasData(new AuditChainHead());
    }
}

internal sealed class ConnectionConfiguration : IEntityTypeConfiguration<Connection>
{
    public void Configure(EntityTypeBuilder<Connection> b)
    {
        b.Property(c => c.Name).HasMaxLength(256);
        b.Property(c => c.Kind).HasMaxLength(32);
        b.Property(c => c.Endpoint).HasMaxLength(1024);
        b.Property(c => c.Username).HasMaxLength(256);
        b.Property(c => c.PinnedThumbprint).HasMaxLength(128);
        b.Property(c => c.CaCertificatePem).HasMaxLength(16384);
        b.Property(c => c.ClientCertificatePem).HasMaxLength(16384);
        b.Property(c => c.LastUtilisationError).HasMaxLength(1024);
        b.HasIndex(c => c.Name).IsUnique();
    }
}

internal sealed class ApplicationConfiguration : IEntityTypeConfiguration<MigrationPortal.Domain.Inventory.Application>
{
    public void Configure(EntityTypeBuilder<MigrationPortal.Domain.Inventory.Application> b)
    {
        b.ToTable("BusinessApplications");
        b.Property(a => a.Name).HasMaxLength(256);
        b.Property(a => a.Environment).HasMaxLength(64);
        b.Property(a => a.Criticality).HasMaxLength(64);
        b.HasIndex(a => a.Name).IsUnique();
        b.HasMany(a => a.Owners).WithOne().HasForeignKey(o => o.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(a => a.Owners).HasField("_owners").UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class ApplicationOwnerConfiguration : IEntityTypeConfiguration<ApplicationOwner>
{
    public void Configure(EntityTypeBuilder<ApplicationOwner> b)
    {
        b.Property(o => o.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(o => o.Principal).HasMaxLength(450);
        b.HasIndex(o => new { o.ApplicationId, o.Kind, o.Principal }).IsUnique();
    }
}

internal sealed class InventoryConfiguration :
    IEntityTypeConfiguration<InventoryCluster>, IEntityTypeConfiguration<InventoryHost>, IEntityTypeConfiguration<InventoryDatastore>, IEntityTypeConfiguration<InventoryVm>, IEntityTypeConfiguration<UserGroupMembership>,
    IEntityTypeConfiguration<InventoryNetwork>
{
    public void Configure(EntityTypeBuilder<InventoryNetwork> b)
    {
        b.Property(x => x.ExternalId).HasMaxLength(512);
        b.Property(x => x.Name).HasMaxLength(256);
        b.HasIndex(x => new { x.ConnectionId, x.ExternalId }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<InventoryCluster> b)
    {
        b.Property(x => x.ExternalId).HasMaxLength(512);
        b.Property(x => x.Name).HasMaxLength(256);
        b.Property(x => x.Datacenter).HasMaxLength(256);
        b.HasIndex(x => new { x.ConnectionId, x.ExternalId }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<InventoryHost> b)
    {
        b.Property(x => x.ExternalId).HasMaxLength(512);
        b.Property(x => x.Name).HasMaxLength(256);
        b.Property(x => x.ClusterName).HasMaxLength(256);
        b.Property(x => x.ConnectionState).HasMaxLength(32);
        b.Property(x => x.PowerState).HasConversion<string>().HasMaxLength(32);
        b.HasIndex(x => new { x.ConnectionId, x.ExternalId }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<InventoryDatastore> b)
    {
        b.Property(x => x.ExternalId).HasMaxLength(512);
        b.Property(x => x.Name).HasMaxLength(256);
        b.HasIndex(x => new { x.ConnectionId, x.ExternalId }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<InventoryVm> b)
    {
        b.Property(x => x.ExternalId).HasMaxLength(512);
        b.Property(x => x.Name).HasMaxLength(256);
        b.Property(x => x.PowerState).HasConversion<string>().HasMaxLength(32);
        b.Property(x => x.HostExternalId).HasMaxLength(512);
        b.Property(x => x.HostName).HasMaxLength(256);
        b.Property(x => x.ClusterName).HasMaxLength(256);
        b.Property(x => x.ResourcePool).HasMaxLength(512);
        b.Property(x => x.ApplicationTag).HasMaxLength(256);
        b.Property(x => x.MigrateEncryption).HasMaxLength(32);
        b.Property(x => x.Networks).HasMaxLength(2048);
        b.Property(x => x.Disks).HasMaxLength(4096);
        b.HasIndex(x => new { x.ConnectionId, x.ExternalId }).IsUnique();
        b.HasIndex(x => x.Name);
        b.HasIndex(x => x.ApplicationId);
        b.HasIndex(x => x.HostName);
    }

    public void Configure(EntityTypeBuilder<UserGroupMembership> b)
    {
        b.Property(x => x.UserId).HasMaxLength(450);
        b.Property(x => x.Group).HasMaxLength(256);
        b.HasIndex(x => new { x.UserId, x.Group }).IsUnique();
    }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<MigrationPortal.Application.Notifications.NotificationCursor>,
    IEntityTypeConfiguration<MigrationPortal.Application.Notifications.DirectoryContact>
{
    public void Configure(EntityTypeBuilder<MigrationPortal.Application.Notifications.NotificationCursor> b)
    {
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(64);
        b.Property(x => x.LeaseOwner).HasMaxLength(64);
    }

    public void Configure(EntityTypeBuilder<MigrationPortal.Application.Notifications.DirectoryContact> b)
    {
        b.HasKey(x => x.UserId);
        b.Property(x => x.UserId).HasMaxLength(450);
        b.Property(x => x.DisplayName).HasMaxLength(256);
        b.Property(x => x.Email).HasMaxLength(256);
        b.Property(x => x.Roles).HasMaxLength(256);
        b.Property(x => x.Groups).HasMaxLength(4000);
    }
}
