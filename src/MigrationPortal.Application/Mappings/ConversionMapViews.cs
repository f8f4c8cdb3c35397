using MigrationPortal.Domain.Mappings;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Mappings;

/// <summary>Which of the two map kinds a command is about.</summary>
public enum ConversionMapKind
{
    Network,
    Storage,
}

/// <summary>A network map with its connections' names; <paramref name="Version"/> is sent back with an edit.</summary>
public sealed record NetworkMapView(Guid Id, string Name, Guid SourceConnectionId, string SourceConnectionName, Guid DestinationConnectionId,
    string DestinationConnectionName, IReadOnlyList<NetworkMapping> Entries, string UpdatedBy, DateTimeOffset UpdatedAt, int Version)
{
    public static NetworkMapView From(NetworkMap m, IReadOnlyDictionary<Guid, string> names) => new(m.Id, m.Name, m.SourceConnectionId, names.GetValueOrDefault(m.SourceConnectionId, "?"),
        m.DestinationConnectionId, names.GetValueOrDefault(m.DestinationConnectionId, "?"), m.Entries, m.UpdatedBy, m.UpdatedAt, m.Version);
}

/// <summary>A storage map with its connections' names; <paramref name="Version"/> is sent back with an edit.</summary>
public sealed record StorageMapView(Guid Id, string Name, Guid SourceConnectionId, string SourceConnectionName, Guid DestinationConnectionId,
    string DestinationConnectionName, IReadOnlyList<StorageMapping> Entries, string UpdatedBy, DateTimeOffset UpdatedAt, int Version)
{
    public static StorageMapView From(StorageMap m, IReadOnlyDictionary<Guid, string> names) => new(m.Id, m.Name, m.SourceConnectionId, names.GetValueOrDefault(m.SourceConnectionId, "?"),
        m.DestinationConnectionId, names.GetValueOrDefault(m.DestinationConnectionId, "?"), m.Entries, m.UpdatedBy, m.UpdatedAt, m.Version);
}

/// <summary>Both kinds of map, ordered by source, destination and name.</summary>
public sealed record ConversionMapsView(IReadOnlyList<NetworkMapView> NetworkMaps, IReadOnlyList<StorageMapView> StorageMaps);
