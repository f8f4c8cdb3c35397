using MigrationPortal.Application.Abstractions;
using MigrationPortal.Infrastructure.Connectors.Libvirt;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// Issue 11 §5 "Disks left behind", against the two real libvirtd hosts: the source disk that a successful move with
/// storage copy leaves in the source pool, and the disk libvirt pre-creates on the destination for a move that then
/// fails or is cancelled. The clean-up removes them (or keeps them per Libvirt:LeftoverDisks) and says which, naming the
/// host, the pool and the file; the pool listings (virsh vol-list after a refresh) are the evidence.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LibvirtLeftoverDiskTests : IAsyncLifetime
{
    private readonly LibvirtLab _lab = LibvirtLab.Current;
    private string Disk => $"{_lab.Guest}.qcow2";

    public Task InitializeAsync() => _lab.ResetAsync();

    public Task DisposeAsync() => _lab.LabAsync("unthrottle");

    [Fact]
    public async Task RemoveLeftovers_RemovesTheSourceCopyAndAStorageMoveIntoThatPoolPasses_WhenAComputeAndStorageMoveSucceeded()
    {
        var lab = new LabConnector(_lab);
        var there = lab.Plan(_lab.AUri, "images", _lab.BUri, "images");
        var outcome = await lab.MoveAsync(there);
        Assert.True(outcome.Result == TransferResult.Succeeded, outcome.Message);
        Assert.Contains(Disk, await lab.VolumesAsync(_lab.AUri, "images")); // libvirt left the source copy behind

        var report = await lab.Connector.RemoveLeftoversAsync(there, MoveEnding.Succeeded, CancellationToken.None);

        Assert.False(report.Kept, report.Description);
        Assert.Contains("Removed", report.Description);
        Assert.Contains("lab-a", report.Description);
        Assert.Contains($"{Disk} in pool images", report.Description);
        Assert.DoesNotContain(Disk, await lab.VolumesAsync(_lab.AUri, "images"));
        Assert.Contains(Disk, await lab.VolumesAsync(_lab.BUri, "images")); // the disk the VM runs on is untouched
        Assert.Equal("b", await _lab.RunningOnAsync());

        // Back to A into pool fast, then a storage move into the original pool images: its precheck would say
        // "Pool images already holds mp-guest.qcow2" had the source copy stayed.
        var back = lab.Plan(_lab.BUri, "images", _lab.AUri, "fast");
        var returned = await lab.MoveAsync(back);
        Assert.True(returned.Result == TransferResult.Succeeded, returned.Message);
        var intoImages = lab.Plan(_lab.AUri, "fast", _lab.AUri, "images");
        var findings = await lab.Connector.PrecheckAsync(intoImages, CancellationToken.None);
        Assert.DoesNotContain(findings, f => f.Severity == FindingSeverity.Critical);
        var storageMove = await lab.MoveAsync(intoImages);
        Assert.True(storageMove.Result == TransferResult.Succeeded, storageMove.Message);
        Assert.Equal(_lab.GuestDisk, await _lab.DiskPathAsync(_lab.AUri));
    }

    [Fact]
    public async Task RemoveLeftovers_RemovesTheDiskPreCreatedOnTheDestination_WhenTheMoveFailedMidCopy()
    {
        var lab = new LabConnector(_lab);
        var plan = lab.Plan(_lab.AUri, "images", _lab.BUri, "images");
        var outcome = await FailMidCopyAsync(lab, plan);
        Assert.NotEqual(TransferResult.Succeeded, outcome.Result);
        Assert.Equal("a", await _lab.RunningOnAsync());
        Assert.Contains(Disk, await lab.VolumesAsync(_lab.BUri, "images")); // libvirt's pre-created copy stays on B

        var report = await lab.Connector.RemoveLeftoversAsync(plan, MoveEnding.Failed, CancellationToken.None);

        Assert.False(report.Kept, report.Description);
        Assert.Contains("lab-b", report.Description);
        Assert.Contains($"{Disk} in pool images", report.Description);
        Assert.DoesNotContain(Disk, await lab.VolumesAsync(_lab.BUri, "images"));
        Assert.False(File.Exists(Path.Combine(_lab.BImagesDir, Disk)));
        // The VM's own disk on A is never touched.
        Assert.Contains(Disk, await lab.VolumesAsync(_lab.AUri, "images"));
        Assert.Equal(_lab.GuestDisk, await _lab.DiskPathAsync(_lab.AUri));
        var counter = _lab.LastCounter();
        await LibvirtLab.WaitUntilAsync(() => Task.FromResult(_lab.LastCounter() > counter + 1), TimeSpan.FromSeconds(15), "the guest to keep counting on A");

        // Nothing is left to remove a second time, and the report says so.
        var again = await lab.Connector.RemoveLeftoversAsync(plan, MoveEnding.Failed, CancellationToken.None);
        Assert.False(again.Kept);
        Assert.StartsWith("Nothing left behind on lab-b", again.Description);
    }

    [Fact]
    public async Task RemoveLeftovers_KeepsThePreCreatedDiskAndSaysKept_WhenRetentionIsKeep()
    {
        var lab = new LabConnector(_lab, new LibvirtOptions { LeftoverDisks = LeftoverDisks.Keep });
        var plan = lab.Plan(_lab.AUri, "images", _lab.BUri, "images");
        var outcome = await FailMidCopyAsync(lab, plan, cancelThroughThePortal: true);
        Assert.Equal(TransferResult.Cancelled, outcome.Result);

        var report = await lab.Connector.RemoveLeftoversAsync(plan, MoveEnding.Cancelled, CancellationToken.None);

        Assert.True(report.Kept, report.Description);
        Assert.Contains("Kept", report.Description);
        Assert.Contains("Libvirt:LeftoverDisks is Keep", report.Description);
        Assert.Contains("lab-b", report.Description);
        Assert.Contains($"{Disk} in pool images", report.Description);
        Assert.Contains(Disk, await lab.VolumesAsync(_lab.BUri, "images"));
    }

    [Fact]
    public async Task RemoveLeftovers_RemovesNothing_WhenNoTransferOfThisRequestReachedLibvirt()
    {
        // A file of the same name already in the destination pool (the precheck refuses such a move) is not the move's.
        var lab = new LabConnector(_lab);
        File.Copy(Path.Combine(_lab.AImagesDir, Disk), Path.Combine(_lab.BImagesDir, Disk));
        var plan = lab.Plan(_lab.AUri, "images", _lab.BUri, "images");

        var report = await lab.Connector.RemoveLeftoversAsync(plan, MoveEnding.Failed, CancellationToken.None);

        Assert.False(report.Kept, report.Description);
        Assert.StartsWith("Nothing left behind: no transfer of this request reached libvirt", report.Description);
        Assert.Contains(Disk, await lab.VolumesAsync(_lab.BUri, "images"));
    }

    /// <summary>
    /// A move throttled to 16 Mbit/s, stopped once libvirt has pre-created the disk on B: by the portal's cancel, or by an
    /// abort from outside the portal (virsh domjobabort on A), which the portal sees as a failure.
    /// </summary>
    private async Task<TransferOutcome> FailMidCopyAsync(LabConnector lab, MigrationPlan plan, bool cancelThroughThePortal = false)
    {
        await _lab.LabAsync("throttle", "16mbit");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var id = await lab.Connector.StartTransferAsync(plan, timeout.Token);
        var watch = lab.Connector.WatchTransferAsync(plan, id, _ => Task.CompletedTask, timeout.Token);
        await LibvirtLab.WaitUntilAsync(() => Task.FromResult(watch.IsCompleted || File.Exists(Path.Combine(_lab.BImagesDir, Disk))), TimeSpan.FromSeconds(30),
            "libvirt to pre-create the disk on B");
        Assert.False(watch.IsCompleted, "the move ended before it could be stopped");
        await Task.Delay(TimeSpan.FromSeconds(1));
        if (cancelThroughThePortal) await lab.Connector.CancelTransferAsync(plan, id, timeout.Token);
        else await _lab.VirshAsync(_lab.AUri, "domjobabort", _lab.Guest);
        var outcome = await watch;
        await _lab.LabAsync("unthrottle");
        return outcome;
    }
}
