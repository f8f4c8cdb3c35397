using MigrationPortal.Application.Abstractions;
using MigrationPortal.Infrastructure.Connectors.Libvirt;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// Issue 11 §3 on libvirt: a run that finds the recorded intent but no operation ID asks libvirt whether the transfer
/// started. Each test starts the transfer with one connector and asks with another (a new process: its own job registry),
/// so the answer comes only from the hosts.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LibvirtFindOperationTests : IAsyncLifetime
{
    private readonly LibvirtLab _lab = LibvirtLab.Current;

    public Task InitializeAsync() => _lab.ResetAsync();

    public Task DisposeAsync() => _lab.LabAsync("unthrottle");

    [Fact]
    public async Task FindOperation_ReturnsTheRunningMigrationsId_WhenItStartedAfterTheIntent()
    {
        var starter = new LabConnector(_lab);
        var plan = starter.Plan(_lab.AUri, "images", _lab.BUri, "images");
        await _lab.LabAsync("throttle", "16mbit");
        var intent = TimeProvider.System.GetUtcNow();
        var started = await starter.Connector.StartTransferAsync(plan, CancellationToken.None);
        var watch = starter.Connector.WatchTransferAsync(plan, started, _ => Task.CompletedTask, CancellationToken.None);
        try
        {
            var asker = new LabConnector(_lab).Connector;

            var found = await asker.FindOperationAsync(plan, intent, CancellationToken.None);

            Assert.True(found.Result == OperationLookupResult.Found, found.Message);
            Assert.Equal(started, found.OperationId);
            Assert.Contains("outgoing migration", found.Message);
            Assert.Contains("lab-a", found.Message);
            Assert.Equal(OperationStatus.Running, (await asker.GetOperationStateAsync(plan, found.OperationId!, CancellationToken.None)).Status);

            // Another request of the same VM (or this one's intent recorded after the mark) does not adopt it, nor start a second.
            var other = await asker.FindOperationAsync(plan with { RequestId = Guid.NewGuid() }, intent, CancellationToken.None);
            Assert.True(other.Result == OperationLookupResult.Unknown, other.Message);
            Assert.Contains("did not start", other.Message);
        }
        finally
        {
            await starter.Connector.CancelTransferAsync(plan, started, CancellationToken.None);
            await watch.WaitAsync(TimeSpan.FromMinutes(2));
        }
    }

    [Fact]
    public async Task FindOperation_ReturnsNotFound_WhenNothingStarted()
    {
        var lab = new LabConnector(_lab);
        var plan = lab.Plan(_lab.AUri, "images", _lab.BUri, "images");

        var lookup = await lab.Connector.FindOperationAsync(plan, TimeProvider.System.GetUtcNow(), CancellationToken.None);

        Assert.True(lookup.Result == OperationLookupResult.NotFound, lookup.Message);
        Assert.Null(lookup.OperationId);
        Assert.Contains("runs on lab-a with no job", lookup.Message);
        Assert.Contains("lab-b has no domain", lookup.Message);
    }

    [Fact]
    public async Task FindOperation_FindsTheMigrationAndItsFailure_WhenItStartedAndWasAborted()
    {
        // The case a "nothing on the destination, no job on the source" rule gets wrong: the transfer did start, and failed.
        // libvirt 9.0 keeps no statistics of an aborted migration; the disk it pre-created on B is the trace.
        var starter = new LabConnector(_lab);
        var plan = starter.Plan(_lab.AUri, "images", _lab.BUri, "images");
        await _lab.LabAsync("throttle", "16mbit");
        var intent = TimeProvider.System.GetUtcNow();
        var started = await starter.Connector.StartTransferAsync(plan, CancellationToken.None);
        await LibvirtLab.WaitUntilAsync(() => Task.FromResult(File.Exists(Path.Combine(_lab.BImagesDir, $"{_lab.Guest}.qcow2"))), TimeSpan.FromSeconds(30),
            "libvirt to pre-create the disk on B");
        await _lab.VirshAsync(_lab.AUri, "domjobabort", _lab.Guest);
        var outcome = await starter.Connector.WatchTransferAsync(plan, started, _ => Task.CompletedTask, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.NotEqual(TransferResult.Succeeded, outcome.Result);
        var asker = new LabConnector(_lab).Connector;

        var found = await asker.FindOperationAsync(plan, intent, CancellationToken.None);

        Assert.True(found.Result == OperationLookupResult.Found, found.Message);
        Assert.Equal(started, found.OperationId);
        var state = await asker.GetOperationStateAsync(plan, found.OperationId!, CancellationToken.None);
        Assert.Contains(state.Status, new[] { OperationStatus.Failed, OperationStatus.Cancelled });
        Assert.Equal("a", await _lab.RunningOnAsync());
    }

    [Fact]
    public async Task FindOperation_FindsTheFinishedMigrationOnTheDestination_WhenItSucceeded()
    {
        var starter = new LabConnector(_lab);
        var plan = starter.Plan(_lab.AUri, "images", _lab.BUri, "images");
        var intent = TimeProvider.System.GetUtcNow();
        var outcome = await starter.MoveAsync(plan);
        Assert.True(outcome.Result == TransferResult.Succeeded, outcome.Message);
        var asker = new LabConnector(_lab).Connector;

        var found = await asker.FindOperationAsync(plan, intent, CancellationToken.None);

        Assert.True(found.Result == OperationLookupResult.Found, found.Message);
        Assert.Contains("running on lab-b", found.Message);
        Assert.Equal(OperationStatus.Succeeded, (await asker.GetOperationStateAsync(plan, found.OperationId!, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task FindOperation_ReturnsNotFound_WhenTheStartWasInterruptedAfterTheMarkBeforeLibvirtBeganIt()
    {
        // The process died between writing its mark and libvirt's migrate call: the mark names the disk libvirt would
        // have pre-created on B, and it is not there. The clean-up then finds nothing of the move's to remove either.
        var lab = new LabConnector(_lab);
        var plan = lab.Plan(_lab.AUri, "images", _lab.BUri, "images");
        var intent = TimeProvider.System.GetUtcNow();
        var operation = new LibvirtOperation(LibvirtOperation.Migrate, _lab.AUri, _lab.BUri, _lab.GuestUuid).ToString();
        using (var host = LibvirtConnection.Open(_lab.AUri))
        using (var domain = host.RequireDomain(_lab.GuestUuid))
            new TransferMark(plan.RequestId, operation, TimeProvider.System.GetUtcNow(), [_lab.GuestDisk]).WriteTo(domain);

        var lookup = await lab.Connector.FindOperationAsync(plan, intent, CancellationToken.None);
        var cleanup = await lab.Connector.RemoveLeftoversAsync(plan, MoveEnding.Failed, CancellationToken.None);

        Assert.True(lookup.Result == OperationLookupResult.NotFound, lookup.Message);
        Assert.Contains("interrupted before libvirt began it", lookup.Message);
        Assert.Contains($"never pre-created {_lab.GuestDisk}", lookup.Message);
        Assert.StartsWith("Nothing left behind on lab-b", cleanup.Description);
        Assert.Contains(">payments<", await _lab.VirshAsync(_lab.AUri, "metadata", _lab.Guest, ApplicationTagNamespace)); // the application tag is untouched
    }

    [Fact]
    public async Task FindOperation_IsUnknown_WhenAMarkedMoveThatCreatesNoFileLeftNoOtherTrace()
    {
        // A compute-only move on shared storage pre-creates nothing, and libvirt 9 keeps no record of a failed migration.
        var lab = new LabConnector(_lab);
        var plan = lab.Plan(_lab.AUri, "images", _lab.BUri, "images");
        var intent = TimeProvider.System.GetUtcNow();
        using (var host = LibvirtConnection.Open(_lab.AUri))
        using (var domain = host.RequireDomain(_lab.GuestUuid))
            new TransferMark(plan.RequestId, new LibvirtOperation(LibvirtOperation.Migrate, _lab.AUri, _lab.BUri, _lab.GuestUuid).ToString(), TimeProvider.System.GetUtcNow(), []).WriteTo(domain);

        var lookup = await lab.Connector.FindOperationAsync(plan, intent, CancellationToken.None);

        Assert.True(lookup.Result == OperationLookupResult.Unknown, lookup.Message);
        Assert.Contains("cannot tell whether it began", lookup.Message);
    }

    private const string ApplicationTagNamespace = "urn:migrationportal:1";

    [Fact]
    public async Task FindOperation_IsUnknownNamingTheHost_WhenTheDestinationCannotBeReached()
    {
        var lab = new LabConnector(_lab);
        var gone = "qemu+unix:///system?socket=/nonexistent/mp-lab-gone-sock";
        var connection = lab.Connection with { Endpoint = $"{_lab.AUri}\n{gone}" };
        var plan = lab.Plan(_lab.AUri, "images", _lab.BUri, "images") is var p
            ? p with { Source = connection, Destination = connection, Target = p.Target with { HostId = gone } }
            : throw new InvalidOperationException();

        var lookup = await lab.Connector.FindOperationAsync(plan, TimeProvider.System.GetUtcNow(), CancellationToken.None);

        Assert.True(lookup.Result == OperationLookupResult.Unknown, lookup.Message);
        Assert.Contains(gone, lookup.Message);
    }
}
