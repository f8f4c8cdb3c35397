using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Common;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Audit;

/// <summary>The audit grid's filters and pager on a real database (issue 13 §4: filters matched whole values only; the grid stopped at 200 rows).</summary>
public abstract class QueryAuditTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private async Task WriteAsync(string action, string? vm, int count)
    {
        await Portal.Scoped<IPortalDb>(async db =>
        {
            for (var i = 0; i < count; i++)
                AuditLog.Record(db, Portal.Time.GetUtcNow(), new Actor("u-test", "Tess Tester"), action, "Test", i.ToString(), new { i }, vmName: vm);
            await db.SaveChangesAsync();
        });
    }

    private Task<AuditPage> QueryAsync(AuditFilter filter, int page = 1, int pageSize = 500) =>
        Portal.Scoped<QueryAudit, AuditPage>(u => u.HandleAsync(Auditor, filter, new AuditPaging(page, pageSize)));

    [Fact]
    public async Task QueryAudit_FindsActionByPart_WhenCaseDiffers()
    {
        await WriteAsync("lists.request.approved", null, 2);
        await WriteAsync("lists.batch.approved", null, 1);
        await WriteAsync("lists.request.rejected", null, 1);

        var found = await QueryAsync(new AuditFilter(Action: "S.REQUEST.APPROV"));

        Assert.Equal(2, found.Total);
        Assert.All(found.Items, e => Assert.Equal("lists.request.approved", e.Action));
        var approved = await QueryAsync(new AuditFilter(Action: "Approved"));
        Assert.Equal(await Portal.Db(db => db.AuditEvents.CountAsync(e => e.Action.EndsWith("approved"))), approved.Total);
        Assert.True(approved.Total >= 3);
    }

    [Fact]
    public async Task QueryAudit_FindsVmByPartOfItsName_WhenCaseDiffers()
    {
        await WriteAsync("lists.test", "Payments-Web-01", 2);
        await WriteAsync("lists.test", "payments-db-01", 1);

        var found = await QueryAsync(new AuditFilter(VmName: "WEB-0"));

        Assert.Equal(2, found.Total);
        Assert.All(found.Items, e => Assert.Equal("Payments-Web-01", e.VmName));
    }

    [Fact]
    public async Task QueryAudit_TreatsUnderscoreAsALetter_WhenFilteringByVm()
    {
        await WriteAsync("lists.test", "app_01", 1);
        await WriteAsync("lists.test", "appX01", 1);

        var found = await QueryAsync(new AuditFilter(VmName: "p_0"));

        Assert.Equal(["app_01"], found.Items.Select(e => e.VmName));
    }

    [Fact]
    public async Task QueryAudit_PagesPast200Events_WithTheTotalOfAllMatches()
    {
        await WriteAsync("lists.paged", null, 230);

        var third = await QueryAsync(new AuditFilter(Action: "lists.paged"), page: 3, pageSize: 100);

        Assert.Equal(230, third.Total);
        Assert.Equal(30, third.Items.Count);
        Assert.Equal(3, third.PageCount);
        var first = await QueryAsync(new AuditFilter(Action: "lists.paged"), page: 1, pageSize: 100);
        Assert.True(first.Items[0].Sequence > third.Items[^1].Sequence, "newest first");
        Assert.Empty(first.Items.Select(e => e.Sequence).Intersect(third.Items.Select(e => e.Sequence)));
    }

    [Theory]
    [InlineData(0, 50, "Page")]
    [InlineData(1, 0, "PageSize")]
    [InlineData(1, 1001, "PageSize")]
    public async Task QueryAudit_RefusesPaging_WhenOutOfRange(int page, int pageSize, string field)
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => QueryAsync(new AuditFilter(), page, pageSize));
        Assert.True(error.Errors.ContainsKey(field), string.Join(", ", error.Errors.Keys));
    }
}

public sealed class SqliteQueryAuditTests() : QueryAuditTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlQueryAuditTests() : QueryAuditTests(DatabaseProvider.PostgreSql);
