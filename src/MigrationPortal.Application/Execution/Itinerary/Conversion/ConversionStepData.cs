using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Execution.Itinerary.Conversion;

/// <summary>The power state the source had before the conversion touched it: what a roll-back restores.</summary>
public sealed record StoredPowerState(PowerState State, DateTimeOffset StoredAt);

/// <summary>
/// The export step's record: the intent (saved before the call), then the export's ID and disks (saved before anything
/// else is done with it). An intent without an ID means the call's outcome is unknown.
/// </summary>
public sealed record ExportRecord(DateTimeOffset IntentAt, string? ExportId, IReadOnlyList<ExportedDisk>? Disks);

/// <summary>The volumes copy-disks makes, saved before the first is created, so a roll-back can remove every one.</summary>
public sealed record VolumesRecord(IReadOnlyList<VolumeRef> Volumes);

/// <summary>The domain define-domain makes, saved before the call, so a resumed run finds it instead of defining it twice.</summary>
public sealed record DomainRecord(string Name, string? Uuid, string HostId);
