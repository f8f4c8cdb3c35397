using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Application.Tests.Scheduling;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.Requests;

/// <summary>
/// A VM has at most one active request, and the database says so: two nodes that both checked "no active request"
/// before either saved must not both succeed. The loser hears which request already holds the VM.
/// </summary>
public abstract class OneActiveRequestPerVmTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private static SubmitRequest.Command MoveTo(Guid vmId, string target) => new(vmId, MigrationKind.Compute, true, target, null, "Two nodes at once");

    [Fact]
    public async Task Submit_Answers409NamingTheWinner_WhenTwoNodesCheckedBeforeEitherSaved()
    {
        var (vm, target) = await Portal.RequesterVmAsync();
        await using var nodeA = Portal.CreateScope();
        await using var nodeB = Portal.CreateScope();
        var submitA = nodeA.ServiceProvider.GetRequiredService<SubmitRequest>();
        var submitB = nodeB.ServiceProvider.GetRequiredService<SubmitRequest>();
        // Both pass every check (nothing is saved yet), then both save: exactly the check-then-insert race.
        await submitA.PrepareAsync(PortalHarness.Requester, MoveTo(vm.Id, target), default);
        await submitB.PrepareAsync(PortalHarness.Requester, MoveTo(vm.Id, target), default);

        await nodeA.ServiceProvider.GetRequiredService<PortalDbContext>().SaveOrConflictAsync("changed", default);
        var conflict = await Assert.ThrowsAsync<ConflictException>(() => nodeB.ServiceProvider.GetRequiredService<PortalDbContext>().SaveOrConflictAsync("changed", default));

        var winner = await Portal.Db(db => db.Requests.SingleAsync(r => r.VmId == vm.Id));
        Assert.Contains(winner.Id.ToString(), conflict.Message);
        Assert.Contains(vm.Name, conflict.Message);
    }

    [Fact]
    public async Task Submit_AcceptsExactlyOne_WhenTenSubmitForOneVmAtOnce()
    {
        var (vm, target) = await Portal.RequesterVmAsync();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
        {
            try
            {
                await Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(PortalHarness.Requester, MoveTo(vm.Id, target)));
                return (Exception?)null;
            }
            catch (ConflictException e)
            {
                return (Exception?)e;
            }
        })));

        Assert.Single(outcomes, o => o is null);
        var winner = await Portal.Db(db => db.Requests.SingleAsync(r => r.VmId == vm.Id));
        Assert.All(outcomes.OfType<ConflictException>(), e => Assert.Contains(winner.Id.ToString(), e.Message));
    }

    [Fact]
    public async Task Database_RefusesASecondActiveRequestForOneVm_EvenWithoutTheUseCase()
    {
        var (vm, target) = await Portal.RequesterVmAsync();
        var first = await Portal.SubmitAsync(vm, target, ScheduleMode.AsSoonAsApproved);
        // Copy the row as another writer would insert it, bypassing every check in the application.
        var copy = await Portal.Db(db => db.Requests.AsNoTracking().SingleAsync(r => r.Id == first.Id));
        await Assert.ThrowsAsync<UniqueConstraintException>(() => Portal.Db(async db =>
        {
            var request = new MigrationRequest(copy.VmId, copy.VmName, copy.ConnectionId, copy.ApplicationId, copy.ApplicationName, copy.SourceHostName, copy.SourceDatastoreName,
                copy.Kind, copy.Live, copy.Target, copy.Schedule, copy.Justification, copy.Options, PortalHarness.Requester.AsActor(), Portal.Time.GetUtcNow(), null, copy.IsDemo);
            request.Submit(PortalHarness.Requester.AsActor(), Portal.Time.GetUtcNow(), new Domain.Approvals.ApprovalRequirement(Domain.Approvals.ApprovalOutcome.AutoApprove, 0, null, "test"), TimeSpan.FromHours(1));
            db.Requests.Add(request);
            return await db.SaveChangesAsync();
        }));
    }

    [Fact]
    public async Task SubmitBatch_NamesTheActiveRequest_WhenOneOfItsVmsAlreadyHasOne()
    {
        var (vm, target) = await Portal.RequesterVmAsync();
        var (other, otherTarget) = await Portal.RequesterVmAsync(1);
        var first = await Portal.SubmitAsync(vm, target, ScheduleMode.AsSoonAsApproved);

        var invalid = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SubmitBatch, BatchView>(u => u.HandleAsync(PortalHarness.Requester,
            new SubmitBatch.Command("pair", "Move both", [new(other.Id, MigrationKind.Compute, true, otherTarget, null), new(vm.Id, MigrationKind.Compute, true, target, null)]))));

        Assert.Contains(first.Id.ToString(), string.Join(" ", invalid.Errors["Items[1].VmId"]));
        Assert.Equal(1, await Portal.Db(db => db.Requests.CountAsync()));
    }

    [Fact]
    public async Task Submit_Answers409NamingTheExistingRequest_WhenTheVmAlreadyHasOne()
    {
        var (vm, target) = await Portal.RequesterVmAsync();
        var first = await Portal.SubmitAsync(vm, target, ScheduleMode.AsSoonAsApproved);

        var conflict = await Assert.ThrowsAsync<ConflictException>(() => Portal.SubmitAsync(vm, target, ScheduleMode.AsSoonAsApproved));

        Assert.Contains(first.Id.ToString(), conflict.Message);
    }
}

public sealed class SqliteOneActiveRequestPerVmTests() : OneActiveRequestPerVmTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlOneActiveRequestPerVmTests() : OneActiveRequestPerVmTests(DatabaseProvider.PostgreSql);

/// <summary>Only where SQL Server runs in a container (MIGRATIONPORTAL_TEST_DATABASES=containers, scripts/test-databases.sh).</summary>
[Trait("Category", "SqlServer")]
public sealed class SqlServerOneActiveRequestPerVmTests() : OneActiveRequestPerVmTests(DatabaseProvider.SqlServer);
