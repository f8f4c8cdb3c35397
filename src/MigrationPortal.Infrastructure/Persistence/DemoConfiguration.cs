using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using MigrationPortal.Infrastructure.Connectors.Demo;

namespace MigrationPortal.Infrastructure.Persistence;

internal sealed class DemoConfiguration : IEntityTypeConfiguration<DemoVm>, IEntityTypeConfiguration<DemoTask>
{
    public void Configure(EntityTypeBuilder<DemoVm> b)
    {
        b.ToTable("DemoWorldVms");
        b.Property(x => x.Id).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(128);
        b.Property(x => x.HostId).HasMaxLength(64);
        b.Property(x => x.Datastore).HasMaxLength(64);
        b.Property(x => x.PowerState).HasMaxLength(32);
        b.Property(x => x.Application).HasMaxLength(64);
        b.Property(x => x.MigrateEncryption).HasMaxLength(32);
        b.Property(x => x.SnapshotId).HasMaxLength(128);
    }

    public void Configure(EntityTypeBuilder<DemoTask> b)
    {
        b.ToTable("DemoWorldTasks");
        b.Property(x => x.Id).HasMaxLength(64);
        b.Property(x => x.VmId).HasMaxLength(64);
        b.Property(x => x.TargetHostId).HasMaxLength(64);
        b.Property(x => x.TargetDatastore).HasMaxLength(64);
        b.Property(x => x.State).HasMaxLength(16);
        b.Property(x => x.Message).HasMaxLength(1024);
    }
}
