using System.ComponentModel.DataAnnotations;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>Bound from "VSphere". Every connection of kind vsphere shares these settings.</summary>
public sealed class VSphereOptions
{
    public const string Section = "VSphere";

    /// <summary>Name of the vCenter custom attribute that names a VM's application.</summary>
    [Required]
    public string ApplicationAttribute { get; set; } = "Application";

    /// <summary>
    /// Name of a vCenter tag category whose tag names a VM's application, read through the vAPI REST tagging service where
    /// the custom attribute is empty (the attribute wins when both are set). Empty (default): tags are not read.
    /// </summary>
    public string? ApplicationTagCategory { get; set; }

    /// <summary>Free space a target datastore must keep beyond the VM's provisioned size, as a share of that size.</summary>
    [Range(0, 1000)]
    public double FreeSpaceMarginPercent { get; set; } = 10;

    /// <summary>And at least this much, in GB.</summary>
    [Range(0, 1_000_000)]
    public long FreeSpaceMarginGb { get; set; } = 1;

    /// <summary>Snapshot retention: remove the pre-migration snapshot once the VM is verified at its target (default), or keep it for an operator to remove.</summary>
    public bool RemoveSnapshotAfterSuccess { get; set; } = true;

    /// <summary>Follow tasks with WaitForUpdatesEx; when false (or when vCenter refuses a filter) the task is polled.</summary>
    public bool UseWaitForUpdates { get; set; } = true;

    public TimeSpan WaitForUpdatesMaxWait { get; set; } = TimeSpan.FromSeconds(20);

    public TimeSpan TaskPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Per SOAP call; must exceed <see cref="WaitForUpdatesMaxWait"/>.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>maxObjects for the inventory's RetrievePropertiesEx; 0 lets vCenter choose (it still pages with a token when it must).</summary>
    [Range(0, 1_000_000)]
    public int InventoryPageSize { get; set; }

    /// <summary>
    /// When a run finds a recorded transfer intent but no task ID, it looks for the task in vCenter's recent tasks, queued
    /// at or after the intent. The intent is moved onto vCenter's clock with the offset measured by ServiceInstance.CurrentTime
    /// at lookup time; this tolerance widens the search backwards for what that measurement cannot see (clocks drifting or
    /// being stepped between the intent and the lookup). Larger values risk counting an earlier, unrelated move of the same
    /// VM (then the answer is "cannot tell", never a wrong adoption of two); default 5 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan TaskLookupClockTolerance { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How old an intent may be (by vCenter's clock) for "no task in the recent tasks" to mean "no transfer started".
    /// vCenter drops finished tasks from its recent tasks after about 10 minutes; the default of 5 minutes keeps a margin.
    /// An older intent with no task found is reported as unknown, for an Operator to decide.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan TaskHistoryWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often an open export (ExportVm's HttpNfcLease) reports its progress to vCenter (HttpNfcLeaseProgress), which is
    /// what keeps the lease alive: vCenter ends a lease that hears nothing for its leaseTimeout (5 minutes by default).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:04:00")]
    public TimeSpan LeaseProgressInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long ExportVm's lease may stay "initializing" before the export is given up (vCenter prepares every disk first).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseReadyTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The vim25 version named in SOAPAction. 6.5 is understood by vCenter 6.5 to 8.</summary>
    [Required]
    public string ApiVersion { get; set; } = "6.5";
}
