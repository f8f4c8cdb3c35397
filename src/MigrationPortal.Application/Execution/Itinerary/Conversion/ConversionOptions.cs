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

/// <summary>"Conversion:VirtV2v": the guest conversion step, off unless a conversion host is configured.</summary>
public sealed class VirtV2vOptions
{
    /// <summary>Whether the convert-guest step runs; off by default (it needs virt-v2v and its workarounds, docs/operations.md).</summary>
    public bool Enabled { get; set; }

    /// <summary>The command that converts a guest in place; it gets the volumes' paths as arguments.</summary>
    public string Command { get; set; } = "virt-v2v-in-place";

    /// <summary>How long one guest conversion may take (5–7 minutes under TCG for a small Debian guest).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "04:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);
}
