namespace MigrationPortal.Domain.Requests;

/// <summary>What a converted VM's NIC attaches to on the destination: a libvirt network, or a host bridge.</summary>
public enum NetworkTargetKind
{
    Network,
    Bridge,
}

/// <summary>The format of a converted disk's volume in the destination pool.</summary>
public enum ConvertedDiskFormat
{
    Raw,
    Qcow2,
}

/// <summary>What becomes of the source VM once the conversion has succeeded. Deleting it is never automatic.</summary>
public enum SourceAfterConversion
{
    /// <summary>Left powered off, with a note in its annotation naming the request and the new domain (the default).</summary>
    KeepOffAndAnnotate,

    /// <summary>Left powered off, untouched otherwise.</summary>
    KeepOff,
}

/// <summary>One entry of a network map: VMs on <paramref name="SourceNetwork"/> (a vSphere network or port group) get a NIC on the target.</summary>
public sealed record NetworkMapping(string SourceNetwork, NetworkTargetKind TargetKind, string TargetName);

/// <summary>One entry of a storage map: disks on <paramref name="SourceDatastore"/> become volumes of <paramref name="Format"/> in <paramref name="TargetPool"/>.</summary>
public sealed record StorageMapping(string SourceDatastore, string TargetPool, ConvertedDiskFormat Format);

/// <summary>
/// A cross-platform request's choices: the maps it picked or inherited (copied at submission, so the request's history
/// survives a later edit of the map), whether the converted VM keeps the source's MAC addresses and BIOS UUID, and what
/// becomes of the source after success.
/// </summary>
public sealed record ConversionSettings(
    Guid? NetworkMapId,
    Guid? StorageMapId,
    bool KeepIdentity,
    SourceAfterConversion AfterSuccess,
    IReadOnlyList<NetworkMapping> Networks,
    IReadOnlyList<StorageMapping> Storage)
{
    public NetworkMapping? NetworkFor(string? sourceNetwork) =>
        sourceNetwork is null ? null : Networks.FirstOrDefault(n => string.Equals(n.SourceNetwork, sourceNetwork, StringComparison.Ordinal));

    public StorageMapping? StorageFor(string? sourceDatastore) =>
        sourceDatastore is null ? null : Storage.FirstOrDefault(s => string.Equals(s.SourceDatastore, sourceDatastore, StringComparison.Ordinal));
}
