using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Domain.Requests.ItinerarySteps;

namespace MigrationPortal.Application.Tests.Execution.Conversion;

/// <summary>The VMware-to-KVM itinerary end to end on fakes: the happy path, each failure's roll-back, and runs killed midway.</summary>
public abstract class ConversionItineraryTests(DatabaseProvider provider) : ConversionRunTestBase(provider)
{
    private static readonly string[] ConversionSteps = [Precheck, ConfirmEncryption, StorePowerState, ShutDown, Export, CopyDisks, DefineDomain, FirstBoot, CommitOrRollBack];

    [Fact]
    public async Task RunMigration_RunsEveryStepInOrderAndCommits_WhenTheConversionSucceeds()
    {
        var id = await SubmitConversionAsync();

        await RunAsync(id);

        var request = await LoadAsync(id);
        Assert.Equal(RequestState.Succeeded, request.State);
        Assert.Equal(ConversionSteps, request.Steps.OrderBy(s => s.StartedAt).ThenBy(s => Array.IndexOf(ConversionSteps, s.Name)).Select(s => s.Name));
        Assert.All(request.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
        Assert.Null(request.FindStep(ConvertGuest)); // Conversion:VirtV2v:Enabled is off: the step does not apply and leaves no row
        Assert.DoesNotContain(World.Calls, c => c.StartsWith("UNEXPECTED", StringComparison.Ordinal));

        // The source: shut down with the configured timeout, left off, annotated with the request.
        var calls = World.Calls.ToList();
        Assert.Equal(PowerState.Off, World.SourcePower);
        Assert.Contains("shut-down 45s", calls);
        Assert.True(calls.IndexOf("shut-down 45s") < calls.IndexOf("begin-export"));
        Assert.Contains(id.ToString(), Assert.Single(World.Annotations));
        Assert.DoesNotContain("power-on", calls);

        // The destination: one finished volume per disk, named after the VM, and one domain keeping the identity.
        Assert.Equal(["images/web-01-disk0", "images/web-01-disk1"], World.Volumes.Keys.Order());
        Assert.All(World.Volumes.Values, v => Assert.True(v.Finished));
        Assert.Equal(World.Vm.BiosUuid, Assert.Single(World.Domains).Value);
        var spec = World.LastSpec!;
        Assert.Equal(["00:50:56:aa:bb:cc"], spec.Nics.Select(n => n.MacAddress));
        Assert.Equal(["web-01-disk0", "web-01-disk1"], spec.Disks.Select(d => d.Name));
        Assert.Equal(ConvertedDiskFormat.Qcow2, spec.Disks[0].Format);
        Assert.Equal(ExportState.Completed, Assert.Single(World.Exports.Values).State);
        Assert.Equal(100, World.Exports["lease-1"].LastPercent);
        Assert.Contains("boot web-01 'login:' 90s", calls);

        // What was recorded: both legs' protection, the boot's proof, both identities, the progress in bytes, the syncs.
        Assert.Contains("pinned to thumbprint", request.EncryptionApplied);
        Assert.Contains("TLS (qemu+tls://", request.EncryptionApplied);
        var audit = string.Join("\n", await AuditMessagesAsync(id));
        Assert.Contains("MARKER-7f3a sha256=9f86d081884c7d65", audit);
        Assert.Contains("(vm-42) on connection", audit); // both identities, in the audit's JSON (quotes escaped)
        Assert.Contains("is now domain", audit);
        Assert.Contains("is now domain 'web-01' (UUID 4211aaaa", StepMessage(request, CommitOrRollBack));
        var progress = await Portal.Db(db => db.Progress.AsNoTracking().SingleAsync(p => p.RequestId == id));
        Assert.Equal((ConversionWorld.DiskBytes + ConversionWorld.DiskBytes / 2) / 2, progress.BytesTotal);
        Assert.Equal(progress.BytesTotal, progress.BytesTransferred);
        Assert.Contains(SourceConnectionId, Portal.Jobs.Syncs);
        Assert.Contains(DestinationConnectionId, Portal.Jobs.Syncs);
    }

    [Fact]
    public async Task RunMigration_PowersTheSourceOnAndLeavesNothingOnTheDestination_WhenTheExportIsRefused()
    {
        World.Faults["begin-export"] = () => new ConnectorException("TaskInProgress", "ExportVm refused: the VM is locked by another task.");
        var id = await SubmitConversionAsync();

        await RunAsync(id);

        var request = await LoadAsync(id);
        Assert.Equal(RequestState.Failed, request.State);
        Assert.Equal(StepStatus.Failed, request.FindStep(Export)!.Status);
        Assert.Contains("ExportVm refused", request.FailureReason);
        Assert.Equal(PowerState.On, World.SourcePower);
        Assert.Contains("power-on", World.Calls);
        Assert.Empty(World.Volumes);
        Assert.Empty(World.Domains);
        Assert.Null(request.FindStep(CopyDisks));
        Assert.Contains("nothing was made on the destination", StepMessage(request, CommitOrRollBack));
    }

    [Fact]
    public async Task RunMigration_AbortsTheExportRemovesTheVolumesAndPowersTheSourceOn_WhenACopyFailsMidDisk()
    {
        World.Faults["convert:2"] = () => new ConnectorException("VIR_ERR_STORAGE_VOL_UPLOAD", "stream aborted: no space left on device");
        var id = await SubmitConversionAsync();

        await RunAsync(id);

        var request = await LoadAsync(id);
        Assert.Equal(RequestState.Failed, request.State);
        Assert.Contains("no space left on device", StepMessage(request, CopyDisks));
        Assert.Contains("after 1 of 2", StepMessage(request, CopyDisks));
        Assert.Equal(ExportState.Aborted, World.Exports["lease-1"].State);
        Assert.Empty(World.Volumes);
        Assert.Empty(World.Domains);
        Assert.Equal(PowerState.On, World.SourcePower);
        Assert.Null(request.FindStep(DefineDomain));
        var rollback = StepMessage(request, CommitOrRollBack)!;
        Assert.Contains("volume images/web-01-disk0 deleted", rollback);
        Assert.Contains("volume images/web-01-disk1 deleted", rollback);
        Assert.Contains("powered on again", rollback);
    }

    [Fact]
    public async Task RunMigration_RollsBack_WhenTheFirstBootNeverAnswers()
    {
        World.BootAnswers = false;
        var id = await SubmitConversionAsync();

        await RunAsync(id);

        var request = await LoadAsync(id);
        Assert.Equal(RequestState.Failed, request.State);
        Assert.Contains("Kernel panic", StepMessage(request, FirstBoot));
        Assert.Contains("did not answer within 90 s", request.FailureReason);
        Assert.Empty(World.Domains);
        Assert.Empty(World.Volumes);
        Assert.Equal(PowerState.On, World.SourcePower);
        Assert.Empty(World.Annotations);
        Assert.Contains("domain web-01 undefined", StepMessage(request, CommitOrRollBack));
    }

    [Fact]
    public async Task RunMigration_LeavesTheSourceOff_WhenASourceThatWasOffIsRolledBack()
    {
        World.SourcePower = PowerState.Off;
        World.BootAnswers = false;
        var id = await SubmitConversionAsync();

        await RunAsync(id);

        var request = await LoadAsync(id);
        Assert.Equal(RequestState.Failed, request.State);
        Assert.Equal(PowerState.Off, World.SourcePower);
        Assert.DoesNotContain("power-on", World.Calls);
        Assert.DoesNotContain(World.Calls, c => c.StartsWith("shut-down", StringComparison.Ordinal));
        Assert.Contains("source left off (as it was)", StepMessage(request, CommitOrRollBack));
    }

    [Fact]
    public async Task RunMigration_DefinesTheDomainOnce_WhenARunKilledAfterDefiningIsResumedByANewRun()
    {
        var id = await SubmitConversionAsync();
        await RunKilledAtAsync(id, "define:after");
        Assert.Equal(StepStatus.Running, (await LoadAsync(id)).FindStep(DefineDomain)!.Status);
        Assert.Single(World.Domains);

        await RunAsync(id);

        var request = await LoadAsync(id);
        Assert.Equal(RequestState.Succeeded, request.State);
        Assert.Equal(1, World.Count("define "));
        Assert.Single(World.Domains);
        Assert.Equal(1, World.Count("begin-export"));
        Assert.Equal(2, World.Count("convert "));
        Assert.Contains("not defined again", string.Join("\n", await AuditMessagesAsync(id)));
    }

    [Fact]
    public async Task RunMigration_MakesTheVolumesAgainAndEndsWithOneDomain_WhenARunKilledMidCopyIsResumed()
    {
        var id = await SubmitConversionAsync();
        await RunKilledAtAsync(id, "convert:2");
        Assert.Equal(StepStatus.Running, (await LoadAsync(id)).FindStep(CopyDisks)!.Status);
        Assert.False(World.Volumes["images/web-01-disk1"].Finished);

        await RunAsync(id);

        var request = await LoadAsync(id);
        Assert.Equal(RequestState.Succeeded, request.State);
        Assert.Equal(4, World.Count("convert ")); // two before the kill (the second cut short), both disks again after it
        Assert.Contains("create-volume images/web-01-disk0 (replaced a leftover)", World.Calls);
        Assert.Contains("create-volume images/web-01-disk1 (replaced a leftover)", World.Calls);
        Assert.Equal(2, World.Volumes.Count);
        Assert.All(World.Volumes.Values, v => Assert.True(v.Finished));
        Assert.Single(World.Domains);
        Assert.Equal(1, World.Count("begin-export")); // the open lease was re-attached to, not opened again
        Assert.Equal(ExportState.Completed, World.Exports["lease-1"].State);
    }

    [Fact]
    public async Task RunMigration_AbortsTheOldExportAndOpensANewOne_WhenAResumedCopyCannotReattach()
    {
        var id = await SubmitConversionAsync();
        await RunKilledAtAsync(id, "convert:1");
        World.ResumeFindsOpenExport = false;

        await RunAsync(id);

        var request = await LoadAsync(id);
        Assert.Equal(RequestState.Succeeded, request.State);
        Assert.Contains("abort-old-export lease-1", World.Calls);
        Assert.Equal(ExportState.Aborted, World.Exports["lease-1"].State);
        Assert.Equal(ExportState.Completed, World.Exports["lease-2"].State);
        Assert.Empty(World.OpenExports);
        Assert.Single(World.Domains);
    }

    [Fact]
    public async Task RunMigration_PowersTheSourceOnAndAbortsTheOpenExport_WhenTheConversionIsCancelledBeforeTheCopy()
    {
        var id = await SubmitConversionAsync();
        await RunKilledAtAsync(id, "begin-export");
        // A kill inside BeginExport leaves an intent without an ID; the cancel is asked for meanwhile.
        await Portal.Db(async db =>
        {
            var r = await db.Requests.Include(x => x.Steps).SingleAsync(x => x.Id == id);
            r.Cancel(new Domain.Common.Actor("op", "Olga Operator"), Portal.Time.GetUtcNow(), "Wrong VM.");
            await db.SaveChangesAsync();
            return 0;
        });

        await RunAsync(id);

        var request = await LoadAsync(id);
        Assert.Equal(RequestState.Cancelled, request.State);
        Assert.Equal(PowerState.On, World.SourcePower);
        Assert.Empty(World.OpenExports);
        Assert.Empty(World.Volumes);
        Assert.Empty(World.Domains);
    }
}

public sealed class SqliteConversionItineraryTests() : ConversionItineraryTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlConversionItineraryTests() : ConversionItineraryTests(DatabaseProvider.PostgreSql);
