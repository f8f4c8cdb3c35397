using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using AuditPage = MigrationPortal.Web.Components.Pages.Audit;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>The audit page (issue 13 §4): details a person can read, a pager and the total past 200 events.</summary>
public sealed class AuditPageTests(PortalWebFactory factory) : PortalPageTestContext(factory), IClassFixture<PortalWebFactory>
{
    private async Task WriteAsync(string action, int count, object details)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IPortalDb>();
        for (var i = 0; i < count; i++) AuditLog.Record(db, DateTimeOffset.UtcNow, new Actor("u-test", "Tester"), action, "Test", i.ToString(), details, vmName: "web-01");
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Audit_ShowsDetailsAsLabelsAndValues_NotEscapedJson()
    {
        await WriteAsync("test.details", 1, new { comment = "<script>alert(1)</script>", localStart = "2027-01-02 22:00" });

        var cut = RenderAs<AuditPage>(User("u-aude", "Aude", "Auditor"));

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=audit-details]")));
        var details = cut.FindAll("[data-testid=audit-details]").First(d => d.TextContent.Contains("alert(1)"));
        Assert.Equal(["Comment", "Local start"], details.QuerySelectorAll("dt").Select(d => d.TextContent.Trim()));
        Assert.Equal(["<script>alert(1)</script>", "2027-01-02 22:00"], details.QuerySelectorAll("dd").Select(d => d.TextContent.Trim()));
        Assert.DoesNotContain("\\u003C", cut.Markup);
        Assert.Empty(details.QuerySelectorAll("script"));
    }

    [Fact]
    public async Task Audit_ShowsTheTotalAndAPager_WhenMoreThan200EventsMatch()
    {
        await WriteAsync("test.many", 230, new { n = 1 });
        int total;
        await using (var scope = Factory.Services.CreateAsyncScope())
            total = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEvents.CountAsync();

        var cut = RenderAs<AuditPage>(User("u-aude", "Aude", "Auditor"));

        cut.WaitForAssertion(() => Assert.Contains($"{total.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} matching event(s)", cut.Find("[data-testid=audit-total]").TextContent));
        Assert.Equal(50, cut.FindAll("[data-testid=audit-table] tbody tr").Count);
        Assert.DoesNotContain("newest 200 shown", cut.Markup);
        Assert.NotEmpty(cut.FindAll("[data-testid=audit-table] .mud-table-pagination"));
    }

    [Fact]
    public async Task Audit_FindsEventsByPartOfTheAction_WhenFiltered()
    {
        await WriteAsync("test.partial.approved", 2, new { n = 1 });
        var cut = RenderAs<AuditPage>(User("u-aude", "Aude", "Auditor"));
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=audit-table] tbody tr")));

        await cut.Find("input[data-testid=filter-action]").ChangeAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = "PARTIAL.APPR" });
        await cut.Find("button[data-testid=apply-filter]").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("2 matching event(s)", cut.Find("[data-testid=audit-total]").TextContent);
            Assert.All(cut.FindAll("[data-testid=audit-table] tbody tr"), r => Assert.Contains("test.partial.approved", r.TextContent));
        });
    }

    [Fact]
    public async Task Audit_ShowsListsAsItemsAndEnumsInWords_WhileTheStoredTextKeepsItsForm()
    {
        var map = $"map-{Guid.NewGuid():N}";
        // As a deleted storage map and a job step are stored: the domain's records and enums, so numbers.
        await WriteAsync("test.map.deleted", 1, new
        {
            change = "deleted", name = map,
            entries = new[] { new StorageMapping("ds-fast", "pool-fast", ConvertedDiskFormat.Qcow2), new StorageMapping("ds-bulk", "pool-bulk", ConvertedDiskFormat.Raw) },
            status = StepStatus.Succeeded,
        });

        var cut = RenderAs<AuditPage>(User("u-aude", "Aude", "Auditor"));

        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("[data-testid=audit-details]"), d => d.TextContent.Contains(map)));
        var details = cut.FindAll("[data-testid=audit-details]").First(d => d.TextContent.Contains(map));
        var items = details.QuerySelectorAll("[data-testid=audit-detail-items] > li");
        Assert.Equal(2, items.Length);
        Assert.Equal(["Source datastore", "Target pool", "Format"], items[0].QuerySelectorAll("dt").Select(d => d.TextContent.Trim()));
        Assert.Equal(["ds-fast", "pool-fast", "qcow2"], items[0].QuerySelectorAll("dd").Select(d => d.TextContent.Trim()));
        Assert.Equal("raw", items[1].QuerySelectorAll("dd").Last().TextContent.Trim());
        Assert.Contains("Succeeded", details.TextContent);
        Assert.DoesNotContain("{", details.TextContent);
        Assert.DoesNotContain("\"Format\"", details.TextContent);

        // Only the display changed: the row (what the hash chain covers and the exports carry) still holds the numbers.
        await using var scope = Factory.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEvents.Where(e => e.Action == "test.map.deleted").Select(e => e.Details).ToListAsync();
        var row = Assert.Single(stored, d => d.Contains(map));
        Assert.Contains("\"Format\":1", row);
        Assert.Contains("\"status\":2", row);
    }
}
