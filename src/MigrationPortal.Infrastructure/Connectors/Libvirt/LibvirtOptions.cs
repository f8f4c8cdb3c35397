using System.ComponentModel.DataAnnotations;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// Migration tuning for every libvirt connection (section "Libvirt"). Unset values leave libvirt's and QEMU's defaults
/// (300 ms maximum downtime, unlimited bandwidth, no auto-converge), which is what `virsh migrate` uses too.
/// </summary>
public sealed class LibvirtOptions
{
    public const string Section = "Libvirt";

    /// <summary>VIR_MIGRATE_PARAM_BANDWIDTH in MiB/s; null for unlimited.</summary>
    [Range(1, 1_000_000)]
    public int? BandwidthMiBps { get; set; }

    /// <summary>The longest pause QEMU may take at switch-over (virDomainMigrateSetMaxDowntime); null keeps QEMU's 300 ms.</summary>
    [Range(1, 60_000)]
    public int? MaxDowntimeMs { get; set; }

    /// <summary>VIR_MIGRATE_AUTO_CONVERGE: QEMU throttles a guest that dirties memory faster than it can be sent.</summary>
    public bool AutoConverge { get; set; }

    /// <summary>
    /// How a storage move within a host copies the disks of a persistent domain. <see cref="BlockCopyWay.TransientJob"/>
    /// (the default) marks the block job transient, as libvirt 1.3.3+ allows, and falls back to
    /// <see cref="BlockCopyWay.Redefine"/> only if libvirt refuses it. <see cref="BlockCopyWay.Redefine"/> always uses
    /// libvirt's older documented way (keep the definition, undefine, copy, pivot, define again), for hosts whose libvirt
    /// mishandles transient jobs; the request's transfer step records which way was taken.
    /// </summary>
    public BlockCopyWay BlockCopyWay { get; set; } = BlockCopyWay.TransientJob;

    /// <summary>
    /// What the clean-up step does with the disk files a storage move leaves behind: the source copy after a move that
    /// succeeded, the copy libvirt pre-created on the destination for one that failed or was cancelled. <see cref="LeftoverDisks.Remove"/>
    /// (the default) deletes them through libvirt's storage volume API; <see cref="LeftoverDisks.Keep"/> leaves them and says so.
    /// </summary>
    public LeftoverDisks LeftoverDisks { get; set; } = LeftoverDisks.Remove;

    /// <summary>
    /// The virtualization type of a converted domain: null (the default) takes "kvm" when the host's capabilities offer
    /// it, else "qemu"; "qemu" forces TCG on hosts whose /dev/kvm is listed but does not work (nested or locked-down
    /// hosts: the guest stops at once with "KVM internal error ... emulation failure").
    /// </summary>
    public string? ConvertedDomainType { get; set; }

    /// <summary>How often a running job's statistics are read for progress.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How far apart the two reads of a utilisation reading are: libvirt's CPU, disk and network counters are cumulative,
    /// so a rate is the difference over this interval. Longer smooths bursts; the reading takes at least this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan UtilisationInterval { get; set; } = TimeSpan.FromSeconds(1);
}

public enum BlockCopyWay
{
    TransientJob,
    Redefine,
}

public enum LeftoverDisks
{
    Remove,
    Keep,
}
