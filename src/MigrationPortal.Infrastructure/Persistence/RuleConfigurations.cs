using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Rules;

namespace MigrationPortal.Infrastructure.Persistence;

/// <summary>
/// Placement rules and cluster headroom. A rule's members are child tables with composite keys, each row cascading from
/// its rule and from its inventory VM or host, so a VM that leaves the inventory (sync deletes it) leaves its rules too.
/// The name per connection and the headroom per cluster are unique indexes: the database decides a race.
/// </summary>
internal sealed class RuleConfigurations : IEntityTypeConfiguration<PlacementRule>, IEntityTypeConfiguration<PlacementRuleVm>,
    IEntityTypeConfiguration<PlacementRuleHost>, IEntityTypeConfiguration<ClusterHeadroom>
{
    public void Configure(EntityTypeBuilder<PlacementRule> b)
    {
        b.ToTable("PlacementRules");
        b.HasKey(r => r.Id);
        b.Property(r => r.Name).HasMaxLength(256);
        b.Property(r => r.Kind).HasConversion<string>().HasMaxLength(32);
        b.Property(r => r.Enforcement).HasConversion<string>().HasMaxLength(16);
        b.Property(r => r.UpdatedBy).HasMaxLength(256);
        b.Property(r => r.Version).IsConcurrencyToken();
        b.HasIndex(r => new { r.ConnectionId, r.Name }).IsUnique();
        b.HasOne<Connection>().WithMany().HasForeignKey(r => r.ConnectionId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(r => r.Vms).WithOne().HasForeignKey(m => m.RuleId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(r => r.Hosts).WithOne().HasForeignKey(m => m.RuleId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(r => r.Vms).HasField("_vms").UsePropertyAccessMode(PropertyAccessMode.Field);
        b.Navigation(r => r.Hosts).HasField("_hosts").UsePropertyAccessMode(PropertyAccessMode.Field);
    }

    public void Configure(EntityTypeBuilder<PlacementRuleVm> b)
    {
        b.ToTable("PlacementRuleVms");
        b.HasKey(m => new { m.RuleId, m.VmId });
        b.HasIndex(m => m.VmId);
        b.HasOne<InventoryVm>().WithMany().HasForeignKey(m => m.VmId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<PlacementRuleHost> b)
    {
        b.ToTable("PlacementRuleHosts");
        b.HasKey(m => new { m.RuleId, m.HostId });
        b.HasIndex(m => m.HostId);
        b.HasOne<InventoryHost>().WithMany().HasForeignKey(m => m.HostId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ClusterHeadroom> b)
    {
        b.ToTable("ClusterHeadrooms");
        b.HasKey(h => h.Id);
        b.Property(h => h.ClusterName).HasMaxLength(256);
        b.Property(h => h.UpdatedBy).HasMaxLength(256);
        b.HasIndex(h => new { h.ConnectionId, h.ClusterName }).IsUnique();
        b.HasOne<Connection>().WithMany().HasForeignKey(h => h.ConnectionId).OnDelete(DeleteBehavior.Cascade);
    }
}
