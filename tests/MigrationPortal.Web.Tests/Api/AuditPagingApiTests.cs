using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Domain.Common;

namespace MigrationPortal.Web.Tests.Api;

/// <summary>GET /api/v1/audit pages with page and pageSize and says how many events match in all (issue 13 §4).</summary>
public sealed class AuditPagingApiTests(PortalWebFactory factory) : IClassFixture<PortalWebFactory>
{
    private const string Auditor = "u-aude|Aude|Auditor";

    private async Task WriteAsync(string action, int count)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IPortalDb>();
        for (var i = 0; i < count; i++) AuditLog.Record(db, DateTimeOffset.UtcNow, new Actor("u-test", "Tester"), action, "Test", i.ToString(), new { i });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task QueryAudit_ReturnsTheAskedPageAndTheTotal_WhenPageAndPageSizeAreGiven()
    {
        var action = $"api.paging.{Guid.NewGuid():N}";
        await WriteAsync(action, 5);
        using var client = factory.ClientFor(Auditor);

        var page = await client.GetFromJsonAsync<JsonElement>($"/api/v1/audit?action={action}&page=3&pageSize=2");

        Assert.Equal(5, page.GetProperty("total").GetInt32());
        Assert.Equal(3, page.GetProperty("page").GetInt32());
        Assert.Equal(2, page.GetProperty("pageSize").GetInt32());
        Assert.Equal(3, page.GetProperty("pageCount").GetInt32());
        Assert.Equal(1, page.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task QueryAudit_MatchesPartOfTheAction_IgnoringCase()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        await WriteAsync($"api.{tag}.approved", 2);
        await WriteAsync($"api.{tag}.rejected", 1);
        using var client = factory.ClientFor(Auditor);

        var page = await client.GetFromJsonAsync<JsonElement>($"/api/v1/audit?action={tag.ToUpperInvariant()}.APPROV");

        Assert.Equal(2, page.GetProperty("total").GetInt32());
    }
}
