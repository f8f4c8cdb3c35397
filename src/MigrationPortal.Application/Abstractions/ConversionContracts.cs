using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Abstractions;

/// <summary>The firmware a VM boots with; the destination must be able to give the same.</summary>
public enum Firmware
{
    Bios,
    Efi,
}

/// <summary>How a source disk is backed, as far as a conversion cares: only flat and sparse virtual disks can be read.</summary>
public enum DiskBacking
{
    /// <summary>A flat (preallocated or thin) virtual disk file: readable over the datastore's file service as raw bytes.</summary>
    Flat,

    /// <summary>A sparse virtual disk file (hosted or SE sparse): readable only through an export.</summary>
    Sparse,

    /// <summary>A raw device mapping: a LUN, not a file; the conversion cannot carry it.</summary>
    RawDeviceMapping,

    /// <summary>Any other backing the connector does not know.</summary>
    Other,
}

/// <summary>One disk of a VM about to be converted, in the source hypervisor's terms.</summary>
/// <param name="Key">The hypervisor's device key ("2000"); the export names its disks by it.</param>
/// <param name="Label">What the hypervisor's own UI calls it ("Hard disk 1").</param>
/// <param name="FilePath">The disk's descriptor path ("[datastore1] vm/vm.vmdk").</param>
/// <param name="Independent">Whether snapshots skip the disk (independent persistent or non-persistent mode).</param>
public sealed record ConvertibleDisk(string Key, string Label, long CapacityBytes, string DatastoreName, string FilePath, DiskBacking Backing, bool Independent);

/// <summary>One NIC of a VM about to be converted: its MAC, the network or port group it is on, and its adapter type ("vmxnet3").</summary>
public sealed record ConvertibleNic(string Label, string MacAddress, string? NetworkName, string AdapterType);

/// <summary>
/// What a conversion needs to know about the source VM, read before anything is touched: identity, size, firmware, guest
/// OS, disks (in boot order) and NICs, and whether it has snapshots.
/// </summary>
/// <param name="BiosUuid">The SMBIOS UUID the guest sees (vSphere's config.uuid), kept when the request keeps identity.</param>
/// <param name="GuestId">The hypervisor's guest OS identifier ("debian12_64Guest", "windows2019srv_64Guest").</param>
public sealed record ConvertibleVm(
    string ExternalId,
    string Name,
    string? BiosUuid,
    int Cpus,
    long MemoryMb,
    Firmware Firmware,
    string GuestId,
    string? GuestFullName,
    PowerState PowerState,
    IReadOnlyList<ConvertibleDisk> Disks,
    IReadOnlyList<ConvertibleNic> Nics,
    int SnapshotCount)
{
    /// <summary>Whether the guest is a Windows one, which a conversion supports only with virtio drivers configured.</summary>
    public bool IsWindows => GuestId.StartsWith("win", StringComparison.OrdinalIgnoreCase)
        || (GuestFullName?.Contains("Windows", StringComparison.OrdinalIgnoreCase) ?? false);

    /// <summary>
    /// Whether the guest is a Linux one: its identifier or full name says Linux, or names a distribution whose identifier
    /// does not ("centos7_64Guest", "rhel9_64Guest", "sles15_64Guest", "vmwarePhoton64Guest"). With Windows, the guests
    /// virt-v2v can convert; "otherGuest", FreeBSD, Solaris and the like it cannot.
    /// </summary>
    public bool IsLinux => GuestId.Contains("linux", StringComparison.OrdinalIgnoreCase)
        || (GuestFullName?.Contains("Linux", StringComparison.OrdinalIgnoreCase) ?? false)
        || LinuxGuestIdPrefixes.Any(p => GuestId.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    private static readonly string[] LinuxGuestIdPrefixes =
        ["rhel", "centos", "fedora", "debian", "ubuntu", "sles", "suse", "opensuse", "oracle", "asianux", "mandrake", "mandriva",
         "redhat", "turbolinux", "coreos", "vmwarePhoton", "almalinux", "rockylinux", "amazonlinux", "fusionos", "miracle", "kylin"];
}

/// <summary>How a shutdown ended: the guest shut itself down, or it did not within the time and was powered off.</summary>
public sealed record ShutdownResult(bool GuestShutDown, string Description);

/// <summary>The byte layout an exported disk is served in.</summary>
public enum DiskImageFormat
{
    /// <summary>The guest's bytes as they are (a flat extent read from the datastore).</summary>
    Raw,

    /// <summary>A VMDK (streamOptimized from an export lease, or sparse); qemu-img reads it.</summary>
    Vmdk,
}

/// <summary>One disk an export serves: its key, its size as the guest sees it, and the layout of the bytes served.</summary>
/// <param name="Location">Where the bytes are read from, for messages (a URL without any credential or cookie).</param>
public sealed record ExportedDisk(string Key, string Label, long CapacityBytes, DiskImageFormat Format, string Location);

/// <summary>A pool's room on the destination, read after a refresh so a full pool is found before the source is touched.</summary>
public sealed record PoolSpace(string Pool, long CapacityBytes, long AvailableBytes, bool Active);

/// <summary>A volume the portal made on the destination for a converted disk: where it is, for the domain and for a roll-back.</summary>
public sealed record VolumeRef(string HostId, string Pool, string Name, ConvertedDiskFormat Format);

/// <summary>A NIC of the converted domain: the MAC to keep (null for a new one), and the network or bridge it attaches to.</summary>
public sealed record ConvertedNic(string? MacAddress, NetworkTargetKind TargetKind, string TargetName);

/// <summary>
/// The domain a conversion defines on the destination: the source's name, identity, size and firmware, its disks as
/// virtio disks on the uploaded volumes (boot disk first), its NICs as virtio NICs on the mapped networks, and metadata
/// naming the source VM and the request.
/// </summary>
public sealed record ConvertedDomainSpec(
    string Name,
    string? Uuid,
    int Cpus,
    long MemoryMb,
    Firmware Firmware,
    IReadOnlyList<VolumeRef> Disks,
    IReadOnlyList<ConvertedNic> Nics,
    Guid RequestId,
    string SourceVmDescription);

/// <summary>What the destination already holds under the converted domain's name or UUID; both null when neither is taken.</summary>
public sealed record DomainClash(string? ByName, string? ByUuid)
{
    public bool Any => ByName is not null || ByUuid is not null;
}

/// <summary>How the first boot is proved: a pattern (a regular expression) that the serial console prints once the guest is up, within a time.</summary>
public sealed record BootProbe(string ConsolePattern, TimeSpan Timeout);

/// <summary>Whether the guest answered, how (guest agent or console), and the console's last lines for the record.</summary>
public sealed record BootResult(bool Answered, string How, string ConsoleExcerpt);
