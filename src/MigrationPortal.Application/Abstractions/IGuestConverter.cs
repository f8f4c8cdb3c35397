namespace MigrationPortal.Application.Abstractions;

/// <summary>
/// Converts a copied guest in place on a conversion host (virt-v2v-in-place: virtio drivers, initramfs, fstab) and checks
/// the result can boot on KVM (a grub.cfg that still names /dev/sd* cannot). Used only when Conversion:VirtV2v:Enabled.
/// </summary>
public interface IGuestConverter
{
    /// <summary>Converts the guest on these volumes; a result that would not boot is a failed result, not an exception.</summary>
    Task<GuestConversionResult> ConvertAsync(MigrationPlan plan, IReadOnlyList<VolumeRef> volumes, CancellationToken ct);
}

/// <summary>Whether the guest was converted into one that can boot, with the tool's own words.</summary>
public sealed record GuestConversionResult(bool Succeeded, string Message);
