using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Connectors.VSphere;
using MigrationPortal.VSphere.Tests.Lab;

namespace MigrationPortal.VSphere.Tests.Operations;

/// <summary>
/// VSphereConnector.FindOperationAsync against the simulator: a run that recorded the intent to start a transfer but never
/// got (or never saved) the task ID asks vCenter's recent tasks whether the transfer started.
/// </summary>
public sealed class FindOperationTests
{
    private const string Vm = "DC0_C0_RP0_VM0";
    private const string OtherVm = "DC0_C0_RP0_VM1";

    private static ConnectionInfo Info(VcsimLab lab) =>
        new(Guid.NewGuid(), "lab-vcenter", "vsphere", lab.SdkUrl.ToString(), VcsimLab.User, VcsimLab.Password, lab.Thumbprint, false);

    private static VSphereConnector Connector(VSphereOptions? options = null, TimeProvider? time = null) =>
        new(Options.Create(options ?? new VSphereOptions()), time ?? TimeProvider.System, NullLogger<VSphereConnector>.Instance);

    /// <summary>A compute move of <paramref name="vmName"/> to a host of its cluster other than the one it runs on.</summary>
    private static async Task<MigrationPlan> PlanAsync(VcsimLab lab, ConnectionInfo info, string vmName = Vm)
    {
        var vm = await lab.VmAsync(vmName);
        var current = vm["host"]!["name"]!.GetValue<string>();
        var target = current == "DC0_C0_H1" ? "DC0_C0_H2" : "DC0_C0_H1";
        var hostId = (await lab.HostStateAsync(target))["id"]!.GetValue<string>();
        return new MigrationPlan(Guid.NewGuid(), info, info, vm["id"]!.GetValue<string>(), vmName, MigrationKind.Compute, true, vm["host"]!["id"]!.GetValue<string>(), "LocalDS_0",
            new MigrationTarget(info.Id, hostId, target, null, null, null), new MigrationOptions(), null);
    }

    [Fact]
    public async Task FindOperation_ReturnsTheStartedTask_WhenTheClientGaveUpWaitingForTheStartReply()
    {
        await using var lab = await VcsimLab.StartAsync(taskDuration: TimeSpan.FromSeconds(3));
        var info = Info(lab);
        var plan = await PlanAsync(lab, info);
        await lab.DelayReplyAsync("RelocateVM_Task", TimeSpan.FromSeconds(60), Vm);
        await lab.ResetCallsAsync();
        var intent = TimeProvider.System.GetUtcNow();

        await using (var gaveUp = Connector())
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gaveUp.StartTransferAsync(plan, timeout.Token));
        }

        var running = (await lab.VmAsync(Vm))["busyTask"]?.GetValue<string>();
        Assert.NotNull(running); // the lab did start the task whose reply never arrived
        await using var connector = Connector();
        var lookup = await connector.FindOperationAsync(plan, intent, default);

        Assert.Equal(OperationLookupResult.Found, lookup.Result);
        Assert.Equal(running, lookup.OperationId);
        Assert.Contains(running, lookup.Message);
        Assert.Contains("VirtualMachine.relocate", lookup.Message);
        var outcome = await connector.WatchTransferAsync(plan, lookup.OperationId!, _ => Task.CompletedTask, default);
        Assert.Equal(TransferResult.Succeeded, outcome.Result);
        Assert.Equal(plan.Target.HostName, await lab.HostOfVmAsync(Vm));
        Assert.Equal(1, await lab.CallsAsync("RelocateVM_Task"));
    }

    [Fact]
    public async Task StartTransfer_ReturnsTheRunningTaskAfterTheHold_WhenTheLabHoldsTheReply()
    {
        await using var lab = await VcsimLab.StartAsync(taskDuration: TimeSpan.FromSeconds(5));
        var info = Info(lab);
        var plan = await PlanAsync(lab, info);
        await lab.DelayReplyAsync("RelocateVM_Task", TimeSpan.FromSeconds(2), Vm);
        await using var connector = Connector();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var start = connector.StartTransferAsync(plan, default);
        while ((await lab.VmAsync(Vm))["busyTask"] is null && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(50);
        var runningBeforeReply = (await lab.VmAsync(Vm))["busyTask"]!.GetValue<string>();
        Assert.False(start.IsCompleted); // the task runs while its reply is still held
        var started = await start;

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"the reply came after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(runningBeforeReply, started);
        Assert.Equal(1, await lab.CallsAsync("RelocateVM_Task"));
    }

    [Fact]
    public async Task FindOperation_ReturnsTheSameIdAsStartTransfer_WhenTheReplyArrived()
    {
        await using var lab = await VcsimLab.StartAsync(taskDuration: TimeSpan.FromSeconds(1));
        var info = Info(lab);
        var plan = await PlanAsync(lab, info);
        await using var connector = Connector();
        var intent = TimeProvider.System.GetUtcNow();

        var started = await connector.StartTransferAsync(plan, default);
        var lookup = await connector.FindOperationAsync(plan, intent, default);

        Assert.Equal((OperationLookupResult.Found, started), (lookup.Result, lookup.OperationId));
    }

    [Fact]
    public async Task FindOperation_ReturnsNotFound_WhenNoTransferOfThisVmStartedAfterTheIntent()
    {
        await using var lab = await VcsimLab.StartAsync(taskDuration: TimeSpan.FromMilliseconds(500));
        var info = Info(lab);
        await using var connector = Connector(new VSphereOptions { TaskLookupClockTolerance = TimeSpan.FromMilliseconds(200) });
        // Before the intent: a finished move of this VM. After it: a move of another VM and a reconfigure (not a move) of this one.
        var earlier = await PlanAsync(lab, info);
        await connector.WatchTransferAsync(earlier, await connector.StartTransferAsync(earlier, default), _ => Task.CompletedTask, default);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var intent = TimeProvider.System.GetUtcNow();
        var other = await PlanAsync(lab, info, OtherVm);
        await connector.WatchTransferAsync(other, await connector.StartTransferAsync(other, default), _ => Task.CompletedTask, default);
        var plan = await PlanAsync(lab, info);
        await connector.EnforceEncryptionAsync(plan, default);

        var lookup = await connector.FindOperationAsync(plan, intent, default);

        Assert.Equal(OperationLookupResult.NotFound, lookup.Result);
        Assert.Null(lookup.OperationId);
        Assert.Contains("lab-vcenter", lookup.Message);
        Assert.Equal(2, await lab.CallsAsync("RelocateVM_Task"));
    }

    [Fact]
    public async Task FindOperation_ReturnsUnknown_WhenTwoTransfersOfThisVmStartedAfterTheIntent()
    {
        await using var lab = await VcsimLab.StartAsync(taskDuration: TimeSpan.FromMilliseconds(500));
        var info = Info(lab);
        await using var connector = Connector();
        var intent = TimeProvider.System.GetUtcNow();
        var first = await PlanAsync(lab, info);
        var firstTask = await connector.StartTransferAsync(first, default);
        await connector.WatchTransferAsync(first, firstTask, _ => Task.CompletedTask, default);
        var second = await PlanAsync(lab, info);
        var secondTask = await connector.StartTransferAsync(second, default);

        var lookup = await connector.FindOperationAsync(second, intent, default);

        Assert.Equal(OperationLookupResult.Unknown, lookup.Result);
        Assert.Null(lookup.OperationId);
        Assert.Contains(firstTask, lookup.Message);
        Assert.Contains(secondTask, lookup.Message);
    }

    [Fact]
    public async Task FindOperation_ReturnsUnknown_WhenTheIntentIsOlderThanTheTrustedHistory()
    {
        await using var lab = await VcsimLab.StartAsync();
        var info = Info(lab);
        await using var connector = Connector(new VSphereOptions { TaskHistoryWindow = TimeSpan.FromMinutes(5) });
        var plan = await PlanAsync(lab, info);

        var lookup = await connector.FindOperationAsync(plan, TimeProvider.System.GetUtcNow() - TimeSpan.FromMinutes(6), default);

        Assert.Equal(OperationLookupResult.Unknown, lookup.Result);
        Assert.Contains("VSphere:TaskHistoryWindow", lookup.Message);
    }

    [Fact]
    public async Task FindOperation_ReturnsUnknown_WhenOneTaskIsListedButTheIntentIsOlderThanTheTrustedHistory()
    {
        await using var lab = await VcsimLab.StartAsync(taskDuration: TimeSpan.FromMilliseconds(500));
        var info = Info(lab);
        await using var connector = Connector(new VSphereOptions { TaskHistoryWindow = TimeSpan.FromMinutes(5) });
        var plan = await PlanAsync(lab, info);
        var started = await connector.StartTransferAsync(plan, default);

        // The one task listed may be someone else's while this request's own, older one has already left the list.
        var lookup = await connector.FindOperationAsync(plan, TimeProvider.System.GetUtcNow() - TimeSpan.FromMinutes(6), default);

        Assert.Equal(OperationLookupResult.Unknown, lookup.Result);
        Assert.Contains(started, lookup.Message);
        Assert.Contains("VSphere:TaskHistoryWindow", lookup.Message);
    }

    [Fact]
    public async Task FindOperation_ReturnsUnknownNamingTheHost_WhenTheHistoryCannotBeRead()
    {
        await using var lab = await VcsimLab.StartAsync();
        var info = Info(lab);
        await using var connector = Connector();
        var plan = await PlanAsync(lab, info);
        await lab.InjectFaultAsync("RetrievePropertiesEx", "NoPermission", "Permission to perform this operation was denied.");

        var lookup = await connector.FindOperationAsync(plan, TimeProvider.System.GetUtcNow(), default);

        Assert.Equal(OperationLookupResult.Unknown, lookup.Result);
        Assert.Contains(lab.SdkUrl.Authority, lookup.Message);
        Assert.Contains("NoPermission: Permission to perform this operation was denied.", lookup.Message);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(-10)]
    public async Task FindOperation_FindsTheTask_WhenThePortalsClockIsMinutesOffVCenters(int portalAheadMinutes)
    {
        await using var lab = await VcsimLab.StartAsync(taskDuration: TimeSpan.FromMilliseconds(500));
        var info = Info(lab);
        var skewed = new SkewedTimeProvider(TimeSpan.FromMinutes(portalAheadMinutes));
        await using var connector = Connector(new VSphereOptions { TaskLookupClockTolerance = TimeSpan.FromMilliseconds(200) }, skewed);
        // A move of the same VM just before the intent: compared without the clock offset it would count when the portal is behind.
        var earlier = await PlanAsync(lab, info);
        await connector.WatchTransferAsync(earlier, await connector.StartTransferAsync(earlier, default), _ => Task.CompletedTask, default);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var plan = await PlanAsync(lab, info);
        var intent = skewed.GetUtcNow();

        var before = await connector.FindOperationAsync(plan, intent, default);
        var started = await connector.StartTransferAsync(plan, default);
        var after = await connector.FindOperationAsync(plan, intent, default);

        Assert.Equal(OperationLookupResult.NotFound, before.Result);
        Assert.Equal((OperationLookupResult.Found, started), (after.Result, after.OperationId));
    }

    /// <summary>The portal's clock set off from vCenter's (which the lab takes from this machine).</summary>
    private sealed class SkewedTimeProvider(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + skew;
    }
}
