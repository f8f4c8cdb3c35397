using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Domain.Mappings;

/// <summary>
/// An Administrator's map from one source connection to one destination connection, in the manner of Forklift's
/// NetworkMap and StorageMap: a list of entries, each keyed by a name on the source, that no name repeats. A
/// cross-platform request picks a map, or inherits the only one its connection pair has; it copies the entries at submission.
/// </summary>
public abstract class ConversionMap<TEntry>
{
    protected ConversionMap() { }

    protected ConversionMap(string name, Guid sourceConnectionId, Guid destinationConnectionId, IReadOnlyList<TEntry> entries, Actor actor, DateTimeOffset now)
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
    public IReadOnlyList<TEntry> Entries { get; private set; } = [];
    public string UpdatedBy { get; private set; } = "";
    public DateTimeOffset UpdatedAt { get; private set; }
    public int Version { get; private set; }

    /// <summary>What an entry maps from ("network", "datastore"), for the message about a name mapped twice.</summary>
    protected abstract string SourceWhat { get; }

    protected abstract string SourceOf(TEntry entry);

    public void Update(string name, IReadOnlyList<TEntry> entries, Actor actor, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new DomainException("A map needs a name.");
        if (entries.GroupBy(SourceOf, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new DomainException($"The {SourceWhat} '{twice.Key}' is mapped twice.");
        Name = name.Trim();
        Entries = entries.ToList();
        UpdatedBy = actor.Name;
        UpdatedAt = now;
        Version++;
    }
}

/// <summary>A network map: each vSphere network or port group becomes a libvirt network or bridge.</summary>
public sealed class NetworkMap : ConversionMap<NetworkMapping>
{
    private NetworkMap() { }

    public NetworkMap(string name, Guid sourceConnectionId, Guid destinationConnectionId, IReadOnlyList<NetworkMapping> entries, Actor actor, DateTimeOffset now)
        : base(name, sourceConnectionId, destinationConnectionId, entries, actor, now) { }

    protected override string SourceWhat => "network";

    protected override string SourceOf(NetworkMapping entry) => entry.SourceNetwork;
}

/// <summary>A storage map: each datastore's disks become volumes of a format (raw or qcow2) in a storage pool of the destination.</summary>
public sealed class StorageMap : ConversionMap<StorageMapping>
{
    private StorageMap() { }

    public StorageMap(string name, Guid sourceConnectionId, Guid destinationConnectionId, IReadOnlyList<StorageMapping> entries, Actor actor, DateTimeOffset now)
        : base(name, sourceConnectionId, destinationConnectionId, entries, actor, now) { }

    protected override string SourceWhat => "datastore";

    protected override string SourceOf(StorageMapping entry) => entry.SourceDatastore;
}
