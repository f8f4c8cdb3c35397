using System.ComponentModel.DataAnnotations;

namespace MigrationPortal.Application.Execution.Itinerary.Conversion;

/// <summary>
/// Bound from "Conversion": how long a VMware-to-KVM conversion waits for the guest to shut down and to boot, what proves
/// the boot, and what the destination and the conversion host are configured to give (OVMF, Windows virtio drivers, virt-v2v).
/// </summary>
public sealed class ConversionOptions
{
    public const string Section = "Conversion";

    /// <summary>How long the guest is given to shut itself down before it is powered off.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the converted domain is given to answer after it is started.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "02:00:00")]
    public TimeSpan FirstBootTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The regular expression the serial console prints once the guest is up, where it has no guest agent.</summary>
    [Required, MinLength(1)]
    public string BootConsolePattern { get; set; } = "login:";

    /// <summary>Whether the destination hosts have OVMF, so an EFI guest can boot there; without it an EFI guest is a Warning.</summary>
    public bool DestinationHasOvmf { get; set; }

    /// <summary>Whether the conversion host injects virtio drivers into Windows guests; without them a Windows guest cannot boot on KVM.</summary>
    public bool VirtioWindowsDriversConfigured { get; set; }

    public VirtV2vOptions VirtV2v { get; set; } = new();
}

/// <summary>
/// "Conversion:VirtV2v": the guest conversion step, off unless a conversion host is configured. The conversion host runs
/// <see cref="Command"/> against the destination volumes' files, so it must see the pools' paths: the KVM host itself (the
/// portal on it, or <see cref="SshHost"/>), or a host that mounts the same shared storage.
/// </summary>
public sealed class VirtV2vOptions
{
    /// <summary>Whether the convert-guest step runs; off by default (it needs virt-v2v and its workarounds, docs/operations.md).</summary>
    public bool Enabled { get; set; }

    /// <summary>The command that converts a guest in place; it gets <c>-i disk</c>, the input format and the volumes' paths.</summary>
    [Required, MinLength(1)]
    public string Command { get; set; } = "virt-v2v-in-place";

    /// <summary>Words put between the command and <c>-i disk</c> (for example <c>-v</c>, <c>-x</c>, <c>--root first</c>).</summary>
    public List<string> ExtraArguments { get; set; } = [];

    /// <summary>How long one guest conversion may take (5–7 minutes under TCG for a small Debian guest); then it is killed.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "04:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Where the conversion runs: empty runs it on the portal's node; otherwise an ssh destination ("root@kvm1"), reached
    /// with <see cref="SshCommand"/> in batch mode (keys and known hosts in the portal user's ssh configuration).
    /// </summary>
    public string? SshHost { get; set; }

    /// <summary>The ssh client used with <see cref="SshHost"/>.</summary>
    [Required, MinLength(1)]
    public string SshCommand { get; set; } = "ssh";

    /// <summary>
    /// Environment variables for virt-v2v and guestfish on the conversion host, for example the lab's workarounds:
    /// LIBGUESTFS_BACKEND_SETTINGS=force_tcg where /dev/kvm fails, SUPERMIN_KERNEL / SUPERMIN_MODULES /
    /// SUPERMIN_KERNEL_VERSION where supermin finds no kernel, VIRTIO_WIN for Windows drivers.
    /// </summary>
    public Dictionary<string, string> Environment { get; set; } = [];

    /// <summary>
    /// Each destination pool's folder as the conversion host sees it ("default": "/var/lib/libvirt/images"); a volume is
    /// the file of its name there. A pool that is not listed fails the step and names this setting.
    /// </summary>
    public Dictionary<string, string> PoolPaths { get; set; } = [];

    /// <summary>The guestfish that reads the converted guest's grub.cfg back (Debian: package libguestfs-tools).</summary>
    [Required, MinLength(1)]
    public string GuestfishCommand { get; set; } = "guestfish";
}
