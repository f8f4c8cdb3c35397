namespace MigrationPortal.Domain.Utilisation;

/// <summary>
/// How busy one host or VM was during one slot: the average of the readings in it. Keyed by the portal's inventory row ID
/// (<see cref="SubjectId"/>: an <c>InventoryHost</c> or <c>InventoryVm</c> ID), the resolution and the slot's start, which
/// is also the constraint that keeps two nodes from writing the same slot twice.
/// </summary>
/// <remarks>
/// Why the inventory ID and not (connection, external ID): the pages and the recommendations ask by inventory ID, a 16-byte
/// key keeps the key and its index small (there are about 2 million samples per 1,000 VMs), and inventory sync keeps a row's
/// ID for as long as the hypervisor reports its external ID. A VM the hypervisor stops reporting loses its row; its samples
/// are then orphans that retention removes by age. Rates and sizes are <see cref="float"/> (seven significant digits is
/// more than a load figure needs) and memory is whole MB, to keep the rows small.
/// </remarks>
public sealed class UtilisationSample
{
    /// <summary>The collected resolution: readings fall into 5-minute slots, and a second reading in a slot is ignored.</summary>
    public const int RawSeconds = 300;

    /// <summary>Samples older than the raw retention are averaged into hourly slots.</summary>
    public const int HourlySeconds = 3600;

    public Guid SubjectId { get; set; }

    /// <summary>The slot's length in seconds: <see cref="RawSeconds"/> or <see cref="HourlySeconds"/>.</summary>
    public int ResolutionSeconds { get; set; }

    /// <summary>Start of the slot, in Unix seconds (UTC), a multiple of <see cref="ResolutionSeconds"/>.</summary>
    public long SlotStart { get; set; }

    public float CpuUsedMhz { get; set; }

    /// <summary>Host: cores × clock. VM: its vCPUs × its host's clock per core; null when the host is not known.</summary>
    public float? CpuCapacityMhz { get; set; }

    public int MemoryUsedMb { get; set; }

    /// <summary>Host: its memory. VM: its configured memory; null when the inventory does not know it yet.</summary>
    public int? MemoryCapacityMb { get; set; }

    /// <summary>vSphere CPU ready or KVM steal, as a percentage of the VM's time; null where the hypervisor does not give it.</summary>
    public float? CpuReadyPercent { get; set; }

    public float? DiskReadBytesPerSecond { get; set; }
    public float? DiskWriteBytesPerSecond { get; set; }
    public float? NetworkReceiveBytesPerSecond { get; set; }
    public float? NetworkTransmitBytesPerSecond { get; set; }

    /// <summary>How many readings the sample averages: 1 for a raw sample, up to 12 for an hourly one.</summary>
    public short SampleCount { get; set; } = 1;

    public DateTimeOffset Start => DateTimeOffset.FromUnixTimeSeconds(SlotStart);

    /// <summary>CPU in use as a percentage of capacity, or null when the capacity is not known.</summary>
    public double? CpuPercent => CpuCapacityMhz is > 0 ? 100.0 * CpuUsedMhz / CpuCapacityMhz.Value : null;

    /// <summary>Memory in use as a percentage of capacity, or null when the capacity is not known.</summary>
    public double? MemoryPercent => MemoryCapacityMb is > 0 ? 100.0 * MemoryUsedMb / MemoryCapacityMb.Value : null;

    /// <summary>The start of the slot of the given resolution holding a moment.</summary>
    public static long SlotOf(DateTimeOffset at, int resolutionSeconds)
    {
        var seconds = at.ToUnixTimeSeconds();
        return seconds - (((seconds % resolutionSeconds) + resolutionSeconds) % resolutionSeconds);
    }
}
