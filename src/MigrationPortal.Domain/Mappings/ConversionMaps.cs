using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Domain.Mappings;

/// <summary>
/// An Administrator's network map from one source connection to one destination connection, in the manner of Forklift's
/// NetworkMap: each vSphere network or port group becomes a libvirt network or bridge. A cross-platform request picks a
/// map, or inherits the only one its connection pair has; it copies the entries at submission.
/// </summary>
public sealed class NetworkMap
{
    private NetworkMap() { }

    public NetworkMap(string name, Guid sourceConnectionId, Guid destinationConnectionId, IReadOnlyList<NetworkMapping> entries, Actor actor, DateTimeOffset now)
    {
        Id = Guid.NewGuid();
        SourceConnectionId = sourceConnectionId;
        DestinationConnectionId = destinationConnectionId;
        Update(name, entries, actor, now);
    }

    public Guid Id { get; private set; }
    public string Name { get; private set; } = "";
    public Guid SourceConnectionId { get; private set; }
    public Guid DestinationConnectionId { get; private set; }
    public IReadOnlyList<NetworkMapping> Entries { get; private set; } = [];
    public string UpdatedBy { get; private set; } = "";
    public DateTimeOffset UpdatedAt { get; private set; }
    public int Version { get; private set; }

    public void Update(string name, IReadOnlyList<NetworkMapping> entries, Actor actor, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new DomainException("A map needs a name.");
        if (entries.GroupBy(e => e.SourceNetwork, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new DomainException($"The network '{twice.Key}' is mapped twice.");
        Name = name.Trim();
        Entries = entries.ToList();
        UpdatedBy = actor.Name;
        UpdatedAt = now;
        Version++;
    }
}

/// <summary>
/// An Administrator's storage map, in the manner of Forklift's StorageMap: each datastore's disks become volumes of a
/// format (raw or qcow2) in a storage pool of the destination.
/// </summary>
public sealed class StorageMap
{
    private StorageMap() { }

    public StorageMap(string name, Guid sourceConnectionId, Guid destinationConnectionId, IReadOnlyList<StorageMapping> entries, Actor actor, DateTimeOffset now)
    {
        Id = Guid.NewGuid();
        SourceConnectionId = sourceConnectionId;
        DestinationConnectionId = destinationConnectionId;
        Update(name, entries, actor, now);
    }

    public Guid Id { get; private set; }
    public string Name { get; private set; } = "";
    public Guid SourceConnectionId { get; private set; }
    public Guid DestinationConnectionId { get; private set; }
    public IReadOnlyList<StorageMapping> Entries { get; private set; } = [];
    public string UpdatedBy { get; private set; } = "";
    public DateTimeOffset UpdatedAt { get; private set; }
    public int Version { get; private set; }

    public void Update(string name, IReadOnlyList<StorageMapping> entries, Actor actor, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new DomainException("A map needs a name.");
        if (entries.GroupBy(e => e.SourceDatastore, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new DomainException($"The datastore '{twice.Key}' is mapped twice.");
        Name = name.Trim();
        Entries = entries.ToList();
        UpdatedBy = actor.Name;
        UpdatedAt = now;
        Version++;
    }
}
