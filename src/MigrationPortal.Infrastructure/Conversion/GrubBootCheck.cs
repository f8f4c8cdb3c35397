using System.Text.RegularExpressions;

namespace MigrationPortal.Infrastructure.Conversion;

/// <summary>
/// Reads a converted guest's GRUB configuration (grub.cfg, or GRUB legacy's menu.lst) and finds the kernel lines that still
/// boot by an IDE, SCSI/SATA or Xen disk name (root=/dev/sdb1, /dev/hda2, /dev/xvda1). On KVM the disks are virtio
/// (/dev/vd*), so such a guest cannot find its root: virt-v2v's appliance writes /dev/sdb1 when the guest's GRUB is set
/// to boot by device name, because the guest's disk is the appliance's second one. UUID=, LABEL=, PARTUUID=, /dev/vd*,
/// /dev/mapper/* and LVM names are fine. Pure, so every sample is a unit test.
/// </summary>
public static partial class GrubBootCheck
{
    /// <summary>A kernel line that would not boot: where it is and what it names.</summary>
    public sealed record Offence(int LineNumber, string Line, string Device);

    /// <summary>What a configuration says: how many kernel lines it has and which of them boot by a device name.</summary>
    public sealed record Verdict(int KernelLines, IReadOnlyList<Offence> Offences)
    {
        public bool Bootable => Offences.Count == 0;
    }

    public static Verdict Check(string config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var kernelLines = 0;
        var offences = new List<Offence>();
        var lines = config.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (!KernelLine().IsMatch(line))
            {
                continue;
            }
            kernelLines++;
            // Only the root the kernel mounts matters: resume= or a second disk's name does not stop the boot.
            if (DeviceNameRoot().Match(line) is { Success: true } root)
            {
                offences.Add(new Offence(i + 1, line, root.Groups["device"].Value));
            }
        }
        return new Verdict(kernelLines, offences);
    }

    /// <summary>linux/linux16/linuxefi (GRUB 2) and kernel (GRUB legacy), the command that loads the kernel with its command line.</summary>
    [GeneratedRegex(@"^(linux|linux16|linuxefi|kernel)\s+\S+")]
    private static partial Regex KernelLine();

    /// <summary>root=/dev/sdX[N], /dev/hdX[N] or /dev/xvdX[N] as a word of its own (not real_root=, not inside another value).</summary>
    [GeneratedRegex(@"(?:^|\s)root=(?<device>/dev/(?:sd|hd|xvd)[a-z]+\d*)(?=\s|$)")]
    private static partial Regex DeviceNameRoot();
}
