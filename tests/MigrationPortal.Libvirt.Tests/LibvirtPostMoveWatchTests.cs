using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Utilisation;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Utilisation;
using Xunit.Abstractions;
using static MigrationPortal.Libvirt.Tests.LabPortal;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// The watch after a move on the libvirt lab (issue 15 §5 "Watch on the libvirt lab"): the real guest is moved from A to
/// B through the portal, its utilisation is collected from the real lab hosts before and after the move by the portal's
/// own collection, and the watch is evaluated. The watch period is short (10 minutes) and the portal's clock is moved
/// forward a 5-minute slot between collections, so the test needs no half hour of wall time: every figure still comes
/// from the lab's daemons, read when the test runs.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LibvirtPostMoveWatchTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Slot = TimeSpan.FromSeconds(UtilisationSample.RawSeconds);
    private readonly LibvirtLab _lab = LibvirtLab.Current;
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"mp-libvirt-watch-{Guid.NewGuid():N}.db");
    private LabPortal _portal = null!;
    private Guid _connectionId;

    public async Task InitializeAsync()
    {
        await _lab.ResetAsync();
        _portal = await StartAsync(_database, new Dictionary<string, string?>
        {
            ["PostMoveWatch:Period"] = "00:10:00", ["PostMoveWatch:MinimumSamples"] = "1",
            // The test collects when it means to; the recurring job would add readings at wall-clock slots.
            ["Utilisation:Enabled"] = "false",
        });
        _connectionId = await _portal.AddLabConnectionAsync(_lab);
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        foreach (var f in new[] { _database, _database + "-wal", _database + "-shm" }) File.Delete(f);
    }

    /// <summary>Reads the lab through the portal's collection, then moves the clock to the next 5-minute slot.</summary>
    private async Task CollectThenNextSlotAsync()
    {
        var result = await _portal.Scoped<CollectUtilisation, CollectUtilisation.Result>(u => u.HandleAsync(_connectionId));
        output.WriteLine($"{_portal.Time.GetUtcNow():u}: {result.Hosts} hosts, {result.Vms} VMs, {result.Added} samples added, error {result.Error ?? "none"}");
        Assert.Null(result.Error);
        Assert.True(result.Added >= 3, $"expected both hosts and the guest, {result.Added} samples added");
        _portal.Time.Advance(Slot);
    }

    [Fact]
    public async Task Watch_ComparesTheGuestsRealLoadBeforeAndAfterItsMoveToB_AndEndsWithAVerdict()
    {
        var vm = await _portal.GuestAsync(_lab);
        for (var i = 0; i < 3; i++) await CollectThenNextSlotAsync();

        var request = await _portal.SubmitAsync(vm.Id, MigrationKind.ComputeAndStorage, _lab.BUri, $"{_lab.BUri}#images");
        await _portal.RunAsync(request.Id);
        var moved = await _portal.DetailsAsync(request.Id);
        Assert.True(moved.Summary.State == RequestState.Succeeded, moved.Summary.FailureReason);
        Assert.Equal("b", await _lab.RunningOnAsync());
        Assert.Equal(WatchState.Watching, moved.Watch!.State);
        Assert.Equal(10, moved.Watch.PeriodMinutes);

        _portal.Time.Advance(Slot);
        for (var i = 0; i < 2; i++) await CollectThenNextSlotAsync();
        // Now 15 minutes after verify: the 10-minute watch is due, and the dispatcher's evaluation concludes it once.
        Assert.Equal(1, await _portal.Scoped<EvaluatePostMoveWatches, int>(u => u.HandleAsync()));
        Assert.Equal(0, await _portal.Scoped<EvaluatePostMoveWatches, int>(u => u.HandleAsync()));

        var watch = (await _portal.DetailsAsync(request.Id)).Watch!;
        output.WriteLine($"{watch.State}: {watch.Summary}");
        foreach (var f in watch.Figures) output.WriteLine($"  {f.Measure}: {f.Before} -> {f.After} {f.Unit}{(f.Regressed ? " (regressed)" : "")}");
        // A verdict from real readings on both sides, not "insufficient data" (the lab's guest is a TCG guest on both hosts,
        // so whether its load rose is the lab's to say; the test asserts what was compared, not the verdict).
        Assert.Contains(watch.State, new[] { WatchState.Passed, WatchState.Regressed });
        Assert.NotEmpty(watch.Before);
        Assert.Equal(2, watch.After.Count);
        var cpu = Assert.Single(watch.Figures, f => f.Measure == PostMoveComparison.CpuUsed);
        Assert.True(cpu.Before > 0 && cpu.After > 0, $"CPU {cpu.Before} -> {cpu.After} MHz");
        var memory = Assert.Single(watch.Figures, f => f.Measure == PostMoveComparison.MemoryUsed);
        Assert.True(memory.Before > 0 && memory.After > 0, $"memory {memory.Before} -> {memory.After} MB");
        // KVM gives the domain's block and network rates on both sides of the move.
        Assert.Contains(watch.Figures, f => f.Measure == PostMoveComparison.BlockIo && f.Before is not null && f.After is not null);
        Assert.Contains(watch.Figures, f => f.Measure == PostMoveComparison.NetworkIo && f.Before is not null && f.After is not null);
        Assert.Equal(watch.State == WatchState.Regressed, watch.CanRollBack);
    }
}
