using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Mappings;

namespace MigrationPortal.Infrastructure.Persistence;

/// <summary>
/// The conversion maps: entries in one JSON text column (read and written whole with their map, never queried), the
/// map's name unique per connection pair, and a version so two Administrators editing one map do not overwrite each other.
/// </summary>
internal static class MapColumns
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static void Configure<TMap, TEntry>(EntityTypeBuilder<TMap> b, string table, System.Linq.Expressions.Expression<Func<TMap, IReadOnlyList<TEntry>>> entries,
        System.Linq.Expressions.Expression<Func<TMap, object?>> key)
        where TMap : class
    {
        b.ToTable(table);
        b.Property(entries).HasColumnName("EntriesJson").HasConversion(
            v => JsonSerializer.Serialize(v, Json),
            v => JsonSerializer.Deserialize<List<TEntry>>(v, Json) ?? new List<TEntry>(),
            new ValueComparer<IReadOnlyList<TEntry>>((a, c) => JsonSerializer.Serialize(a, Json) == JsonSerializer.Serialize(c, Json),
                v => JsonSerializer.Serialize(v, Json).GetHashCode(), v => v.ToList()));
        b.HasIndex(key).IsUnique();
    }
}

internal sealed class NetworkMapConfiguration : IEntityTypeConfiguration<NetworkMap>
{
    public void Configure(EntityTypeBuilder<NetworkMap> b)
    {
        b.HasKey(m => m.Id);
        b.Property(m => m.Name).HasMaxLength(256);
        b.Property(m => m.UpdatedBy).HasMaxLength(256);
        b.Property(m => m.Version).IsConcurrencyToken();
        MapColumns.Configure(b, "NetworkMaps", m => m.Entries, m => new { m.SourceConnectionId, m.DestinationConnectionId, m.Name });
        b.HasOne<Connection>().WithMany().HasForeignKey(m => m.SourceConnectionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Connection>().WithMany().HasForeignKey(m => m.DestinationConnectionId).OnDelete(DeleteBehavior.NoAction);
    }
}

internal sealed class StorageMapConfiguration : IEntityTypeConfiguration<StorageMap>
{
    public void Configure(EntityTypeBuilder<StorageMap> b)
    {
        b.HasKey(m => m.Id);
        b.Property(m => m.Name).HasMaxLength(256);
        b.Property(m => m.UpdatedBy).HasMaxLength(256);
        b.Property(m => m.Version).IsConcurrencyToken();
        MapColumns.Configure(b, "StorageMaps", m => m.Entries, m => new { m.SourceConnectionId, m.DestinationConnectionId, m.Name });
        b.HasOne<Connection>().WithMany().HasForeignKey(m => m.SourceConnectionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Connection>().WithMany().HasForeignKey(m => m.DestinationConnectionId).OnDelete(DeleteBehavior.NoAction);
    }
}
