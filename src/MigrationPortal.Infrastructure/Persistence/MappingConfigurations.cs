using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Mappings;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Infrastructure.Persistence;

/// <summary>
/// The conversion maps, both kinds alike: entries in one JSON text column (read and written whole with their map, never
/// queried), the map's name unique per connection pair (the database decides a race), and a version so two
/// Administrators editing one map do not overwrite each other.
/// </summary>
internal abstract class ConversionMapConfiguration<TMap, TEntry>(string table) : IEntityTypeConfiguration<TMap>
    where TMap : ConversionMap<TEntry>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public void Configure(EntityTypeBuilder<TMap> b)
    {
        b.ToTable(table);
        b.HasKey(m => m.Id);
        b.Property(m => m.Name).HasMaxLength(256);
        b.Property(m => m.UpdatedBy).HasMaxLength(256);
        b.Property(m => m.Version).IsConcurrencyToken();
        b.Property(m => m.Entries).HasColumnName("EntriesJson").HasConversion(
            v => JsonSerializer.Serialize(v, Json),
            v => JsonSerializer.Deserialize<List<TEntry>>(v, Json) ?? new List<TEntry>(),
            new ValueComparer<IReadOnlyList<TEntry>>((a, c) => JsonSerializer.Serialize(a, Json) == JsonSerializer.Serialize(c, Json),
                v => JsonSerializer.Serialize(v, Json).GetHashCode(), v => v.ToList()));
        b.HasIndex(m => new { m.SourceConnectionId, m.DestinationConnectionId, m.Name }).IsUnique();
        b.HasOne<Connection>().WithMany().HasForeignKey(m => m.SourceConnectionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Connection>().WithMany().HasForeignKey(m => m.DestinationConnectionId).OnDelete(DeleteBehavior.NoAction);
    }
}

internal sealed class NetworkMapConfiguration() : ConversionMapConfiguration<NetworkMap, NetworkMapping>("NetworkMaps");

internal sealed class StorageMapConfiguration() : ConversionMapConfiguration<StorageMap, StorageMapping>("StorageMaps");
