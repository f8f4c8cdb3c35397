using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary.Conversion;

/// <summary>
/// Streams each exported disk, in boot order, through the converter into a new volume of the pool its datastore maps to,
/// with no full temporary copy. The volumes' names are deterministic (<c>&lt;vm&gt;-disk&lt;N&gt;</c>) and saved before the
/// first is made, so a roll-back removes every one. Progress is in source bytes, with an ETA over all disks, and is
/// reported to the export's keep-alive. Any failure aborts the export and fails the step with the hypervisor's or the
/// tool's words; the roll-back removes the volumes. A run interrupted here makes the volumes again from scratch (a
/// volume of the same name is replaced), so a disk is never half resumed and half rolled back.
/// </summary>
public sealed partial class CopyDisksStep(IServiceProvider services) : IItineraryStep
{
    private static readonly TimeSpan ProgressWriteInterval = TimeSpan.FromMilliseconds(500);

    public string Name => ItinerarySteps.CopyDisks;

    public StepStage Stage => StepStage.Transfer;

    public bool AppliesTo(MigrationPlan plan) => plan.Kind == MigrationKind.CrossPlatform;

    public Task<StepOutcome> RunAsync(StepContext context) => CopyAsync(context);

    public async Task<StepOutcome> ReconcileAsync(StepContext context)
    {
        await context.Journal.AuditAsync("reconcile", "Interrupted while copying disks; the volumes are made again from scratch.", context.Cancellation);
        return await CopyAsync(context);
    }

    /// <summary>The volume a source disk becomes: its datastore's pool and format, and a name that is the same on every run.</summary>
    public static VolumeRef VolumeFor(MigrationPlan plan, ConversionSettings settings, ConvertibleDisk disk, int index)
    {
        var map = settings.StorageFor(disk.DatastoreName)
            ?? throw new ConnectorException("Unmapped", $"{disk.Label} is on datastore '{disk.DatastoreName}', which the storage map does not map.");
        return new VolumeRef(plan.Target.HostId ?? "", map.TargetPool, $"{Sanitize(plan.VmName)}-disk{index}", map.Format);
    }

    private static string Sanitize(string name)
    {
        var cleaned = Unsafe().Replace(name, "-").Trim('-', '.');
        return cleaned.Length == 0 ? "vm" : cleaned;
    }

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex Unsafe();

    private async Task<StepOutcome> CopyAsync(StepContext context)
    {
        var journal = context.Journal;
        var ct = context.Cancellation;
        var plan = context.Plan;
        // Resolved here, not injected: every run builds every step, and a portal whose converter is not registered (no
        // qemu-img) must still run moves within one connection.
        var converter = services.GetService<IDiskConverter>()
            ?? throw new ConnectorException("NotConfigured", "No disk converter (qemu-img) is registered on this node.");
        var vm = await context.DescribeAsync();
        var export = await ExportStep.CurrentAsync(context);

        // Boot order is the source's disk order; each is paired with what the export serves under its key.
        var pairs = new List<(ConvertibleDisk Disk, ExportedDisk Served, VolumeRef Volume)>();
        for (var i = 0; i < vm.Disks.Count; i++)
        {
            var disk = vm.Disks[i];
            var served = export.Disks.FirstOrDefault(d => d.Key == disk.Key)
                ?? throw new ConnectorException("ExportIncomplete", $"Export {export.ExportId} does not serve {disk.Label} (key {disk.Key}).");
            pairs.Add((disk, served, VolumeFor(plan, context.Settings(), disk, i)));
        }

        var volumes = pairs.Select(p => p.Volume).ToList();
        await journal.SaveStepDataAsync(Name, new VolumesRecord(volumes),
            $"Volumes to make: {string.Join(", ", volumes.Select(v => $"{v.Pool}/{v.Name} ({v.Format})"))}.", ct);

        var started = journal.Now;
        long done = 0;
        long total = 0;
        var copied = new List<string>();
        try
        {
            var readers = new List<IRandomAccessDisk>();
            try
            {
                foreach (var pair in pairs) readers.Add(await export.OpenAsync(pair.Served, ct));
                total = readers.Sum(r => r.Length);
                var lastWrite = DateTimeOffset.MinValue;
                for (var i = 0; i < pairs.Count; i++)
                {
                    var (disk, served, volume) = pairs[i];
                    var reader = readers[i];
                    var before = done;
                    await using var sink = await context.Target().CreateVolumeAsync(plan, volume, served.CapacityBytes, ct);
                    await converter.ConvertAsync(reader, served.CapacityBytes, sink, async read =>
                    {
                        var now = journal.Now;
                        var sofar = before + read;
                        var percent = total == 0 ? 100 : sofar * 100.0 / total;
                        export.ReportProgress((int)Math.Clamp(percent, 0, 100));
                        if (now - lastWrite < ProgressWriteInterval) return;
                        lastWrite = now;
                        await journal.WriteProgressAsync(new TransferProgress($"Copying {disk.Label}", percent, sofar, total, Eta(started, now, sofar, total)), ct);
                    }, ct);
                    await sink.FinishAsync(ct);
                    done = before + reader.Length;
                    copied.Add($"{disk.Label} → {volume.Pool}/{volume.Name} ({served.CapacityBytes / 1048576.0:0} MiB)");
                }
            }
            finally
            {
                foreach (var reader in readers) await reader.DisposeAsync();
            }

            export.ReportProgress(100);
            await export.CompleteAsync(ct);
            context.Conversion.Export = null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var words = e is ConnectorException c ? $"{c.FaultType}: {c.Message}" : e.Message;
            await AbortQuietlyAsync(context, export, $"Copying the disks failed: {words}");
            return StepOutcome.Failed($"Copying the disks failed after {copied.Count} of {pairs.Count}: {words} Export {export.ExportId} was aborted.",
                $"Copying the disks failed: {words}");
        }

        var elapsed = journal.Now - started;
        await journal.WriteProgressAsync(new TransferProgress("Disks copied", 100, total, total, TimeSpan.Zero), ct);
        var rate = elapsed.TotalSeconds > 0 ? total / 1048576.0 / elapsed.TotalSeconds : 0;
        var figures = $"{pairs.Count} disk(s), {total / 1048576.0:0.#} MiB read in {elapsed.TotalSeconds:0.#} s ({rate:0.#} MiB/s)";
        await journal.AuditAsync(Name, $"Copied {figures}: {string.Join("; ", copied)}. Export {export.ExportId} completed.", ct);
        return StepOutcome.Succeeded($"Copied {figures}.");
    }

    private static TimeSpan? Eta(DateTimeOffset started, DateTimeOffset now, long done, long total)
    {
        if (done <= 0 || total <= done) return done > 0 ? TimeSpan.Zero : null;
        var elapsed = (now - started).TotalSeconds;
        return TimeSpan.FromSeconds(elapsed / done * (total - done));
    }

    private static async Task AbortQuietlyAsync(StepContext context, IDiskExport export, string reason)
    {
        context.Conversion.Export = null;
        try
        {
            await export.AbortAsync(reason, CancellationToken.None);
        }
        catch (Exception e)
        {
            // The step's failure is what the request must show; a lease that cannot be aborted times out by itself.
            await context.Journal.AuditAsync(ItinerarySteps.CopyDisks, $"Export {export.ExportId} could not be aborted ({e.Message}); its lease times out by itself.", CancellationToken.None);
        }
        finally
        {
            await export.DisposeAsync();
        }
    }
}
