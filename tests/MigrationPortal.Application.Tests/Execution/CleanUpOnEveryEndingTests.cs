using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Connectors.Demo;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Execution;

/// <summary>
/// Issue 11 §2: the clean-up steps run on every ending (success, failure at any step, a connector fault, a cancel), the
/// snapshot is removed or kept per retention and the step says which, and leftovers are asked about with the ending.
/// Before, a failed move left its clean-up step Pending and its snapshot on the hypervisor.
/// </summary>
public abstract class CleanUpOnEveryEndingTests(DatabaseProvider provider) : ScriptedRunTestBase(provider)
{
    [Fact]
    public async Task RunMigration_RemovesTheSnapshotAndEndsCleanUp_WhenTheTransferFailsToStart()
    {
        Script.FailBeforeStart = () => new ConnectorException("InvalidState", "The host refused the move.");
        var (request, vm) = await SubmitAndDispatchAsync(takeSnapshot: true);

        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request));

        var stored = await LoadAsync(request);
        Assert.Equal(RequestState.Failed, stored.State);
        AssertSnapshotRemoved(stored, vm);
        Assert.Equal([MoveEnding.Failed], Script.LeftoverEndings);
    }

    [Fact]
    public async Task RunMigration_RemovesTheSnapshot_WhenVerificationFails()
    {
        Script.Verification = new VerificationResult(false, "Demo: the VM is not where the plan put it.");
        var (request, vm) = await SubmitAndDispatchAsync(takeSnapshot: true);

        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request));

        var stored = await LoadAsync(request);
        Assert.Equal(RequestState.Failed, stored.State);
        Assert.Contains("Verification failed", stored.FailureReason);
        AssertSnapshotRemoved(stored, vm);
        Assert.Equal([MoveEnding.Failed], Script.LeftoverEndings);
    }

    [Fact]
    public async Task RunMigration_RemovesTheSnapshot_WhenTheConnectorFaultsAfterTheSnapshot()
    {
        Script.FailEnforceEncryption = () => new ConnectorException("NoPermission", "Permission to perform this operation was denied.");
        var (request, vm) = await SubmitAndDispatchAsync(takeSnapshot: true);

        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request));

        var stored = await LoadAsync(request);
        Assert.Equal(RequestState.Failed, stored.State);
        Assert.Equal(StepStatus.Failed, stored.Steps.Single(s => s.Name == ItinerarySteps.EnforceEncryption).Status);
        AssertSnapshotRemoved(stored, vm);
    }

    [Fact]
    public async Task RunMigration_EndsCleanUpSaysNothingWasTaken_WhenPrecheckBlocks()
    {
        Script.ExtraFindings.Add(new PrecheckFinding(FindingSeverity.Critical, "test-block", "The target host is in maintenance."));
        var (request, _) = await SubmitAndDispatchAsync(takeSnapshot: true);

        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request));

        var stored = await LoadAsync(request);
        Assert.Equal(RequestState.Failed, stored.State);
        Assert.Equal(0, Script.Snapshots);
        var cleanUp = stored.Steps.Single(s => s.Name == ItinerarySteps.CleanUp);
        Assert.Equal(StepStatus.Skipped, cleanUp.Status);
        Assert.Contains("No snapshot", cleanUp.Message);
        Assert.Equal([MoveEnding.Failed], Script.LeftoverEndings);
    }

    [Fact]
    public async Task RunMigration_RemovesTheSnapshotAndCleansUpForSuccess_WhenTheMoveSucceeds()
    {
        var (request, vm) = await SubmitAndDispatchAsync(takeSnapshot: true);

        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request));

        var stored = await LoadAsync(request);
        Assert.Equal(RequestState.Succeeded, stored.State);
        AssertSnapshotRemoved(stored, vm);
        Assert.Equal([MoveEnding.Succeeded], Script.LeftoverEndings);
    }

    private void AssertSnapshotRemoved(MigrationRequest stored, InventoryVm vm)
    {
        Assert.Equal(1, Script.Snapshots);
        Assert.Equal(1, Script.SnapshotRemovals);
        var cleanUp = stored.Steps.Single(s => s.Name == ItinerarySteps.CleanUp);
        Assert.Equal(StepStatus.Succeeded, cleanUp.Status);
        Assert.Contains("removed", cleanUp.Message);
        // The snapshot is recorded on the request, and gone from the hypervisor.
        Assert.NotNull(stored.SnapshotId);
        Assert.Null(Portal.Db(db => db.DemoVms.AsNoTracking().Where(d => d.Id == vm.ExternalId).Select(d => d.SnapshotId).FirstAsync()).GetAwaiter().GetResult());
    }
}

public sealed class SqliteCleanUpOnEveryEndingTests() : CleanUpOnEveryEndingTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlCleanUpOnEveryEndingTests() : CleanUpOnEveryEndingTests(DatabaseProvider.PostgreSql);
