using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Infrastructure.Persistence;

/// <summary>Windows and blackouts share their columns; each has its own table.</summary>
internal static class CalendarPeriodMapping
{
    public static void Map<T>(EntityTypeBuilder<T> b, string table) where T : CalendarPeriod
    {
        b.ToTable(table);
        b.HasKey(p => p.Id);
        b.Property(p => p.Id).ValueGeneratedNever();
        b.Property(p => p.Name).HasMaxLength(200);
        b.HasIndex(p => p.Name).IsUnique();
        b.Property(p => p.Recurrence).HasConversion<string>().HasMaxLength(16);
        b.Property(p => p.Expression).HasMaxLength(500);
        b.Property(p => p.TimeZoneId).HasMaxLength(64);
        // A wall-clock time in the period's own zone, not an instant: stored as ISO text, so no provider converts it to UTC.
        b.Property(p => p.LocalStart).HasMaxLength(19).HasConversion(
            v => v.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
            v => DateTime.SpecifyKind(DateTime.ParseExact(v, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture), DateTimeKind.Unspecified));
        b.Property(p => p.UpdatedBy).HasMaxLength(256);
        b.Ignore(p => p.Duration);
        b.OwnsOne(p => p.Scope, s =>
        {
            s.Property(x => x.Kind).HasColumnName("ScopeKind").HasConversion<string>().HasMaxLength(16);
            s.Property(x => x.ConnectionId).HasColumnName("ScopeConnectionId");
            s.Property(x => x.Key).HasColumnName("ScopeKey").HasMaxLength(512);
            s.Property(x => x.Name).HasColumnName("ScopeName").HasMaxLength(256);
        });
    }
}

internal sealed class MaintenanceWindowConfiguration : IEntityTypeConfiguration<MaintenanceWindow>
{
    public void Configure(EntityTypeBuilder<MaintenanceWindow> b) => CalendarPeriodMapping.Map(b, "MaintenanceWindows");
}

internal sealed class BlackoutConfiguration : IEntityTypeConfiguration<Blackout>
{
    public void Configure(EntityTypeBuilder<Blackout> b) => CalendarPeriodMapping.Map(b, "Blackouts");
}

internal sealed class ConcurrencyLimitConfiguration : IEntityTypeConfiguration<ConcurrencyLimit>
{
    public void Configure(EntityTypeBuilder<ConcurrencyLimit> b)
    {
        // One row per (kind, resource): a kind's limits are rows, not columns, so a new kind needs no schema change.
        b.ToTable("ConcurrencyLimitValues");
        b.HasKey(l => new { l.Kind, l.Resource });
        b.Property(l => l.Kind).HasMaxLength(32);
        b.Property(l => l.Resource).HasMaxLength(64);
        b.Property(l => l.UpdatedBy).HasMaxLength(256);
    }
}

internal sealed class CapacitySlotConfiguration : IEntityTypeConfiguration<CapacitySlot>
{
    public void Configure(EntityTypeBuilder<CapacitySlot> b)
    {
        // The key is the semaphore: a unit of a resource can be held by one request only, whichever node claims it.
        b.HasKey(s => new { s.Resource, s.Unit });
        // 400 characters keep the key within SQL Server's 900-byte index key limit.
        b.Property(s => s.Resource).HasMaxLength(400);
        b.Property(s => s.ResourceName).HasMaxLength(600);
        b.HasIndex(s => s.RequestId);
    }
}

internal sealed class CalendarFeedConfiguration : IEntityTypeConfiguration<CalendarFeed>
{
    public void Configure(EntityTypeBuilder<CalendarFeed> b)
    {
        b.HasKey(f => f.Id);
        b.Property(f => f.UserId).HasMaxLength(450);
        b.HasIndex(f => f.UserId).IsUnique();
        b.Property(f => f.UserName).HasMaxLength(256);
        b.Property(f => f.TokenHash).HasMaxLength(64);
        b.HasIndex(f => f.TokenHash).IsUnique();
        b.Property(f => f.Roles).HasMaxLength(1000);
        b.Property(f => f.Groups).HasMaxLength(4000);
    }
}
