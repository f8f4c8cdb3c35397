using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Infrastructure.Persistence;
using WavesPage = MigrationPortal.Web.Components.Pages.Waves;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>The Migration waves page: a CSV upload validated through the use case, with each error shown by row and column.</summary>
public sealed class WavesPageTests(PortalWebFactory factory) : PortalPageTestContext(factory), IClassFixture<PortalWebFactory>
{
    [Fact]
    public void Validate_ListsEachErrorByRowAndColumn_WhenRowsFail()
    {
        var cut = RenderAs<WavesPage>(User("u-rita", "Rita", "Requester"));
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("VM,Kind,Wave,Justification\nno-such-vm,Compute,w,why\n", "wave.csv"));
        cut.WaitForAssertion(() => Assert.Contains("wave.csv", cut.Find("[data-testid=wave-file]").TextContent));

        cut.Find("[data-testid=wave-validate]").Click();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=wave-error-row]")), TimeSpan.FromSeconds(30));
        var cells = cut.FindAll("[data-testid=wave-error-row]")[0].QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal("2", cells[0]);
        Assert.Equal("VM", cells[1]);
        Assert.Contains("no-such-vm", cells[2]);
        Assert.Empty(cut.FindAll("[data-testid=wave-result]"));
    }

    [Fact]
    public async Task Validate_ShowsEachWave_WhenEveryRowIsValid()
    {
        string vm, host;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            // Rita may ask only for her applications' VMs: make her an owner of demo-payments in this class's database.
            var payments = await db.Applications.Include(a => a.Owners).SingleAsync(a => a.Name == "demo-payments");
            if (payments.Owners.All(o => o.Principal != "u-rita")) payments.AddOwner(MigrationPortal.Domain.Inventory.OwnerKind.User, "u-rita");
            await db.SaveChangesAsync();
            var row = await db.Vms.Where(v => db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == "demo-payments")).OrderByDescending(v => v.Name)
                .Select(v => new { v.Id, v.ConnectionId, v.ClusterName, v.HostExternalId }).FirstAsync();
            host = await db.Hosts.Where(h => h.ConnectionId == row.ConnectionId && h.ClusterName == row.ClusterName && h.ExternalId != row.HostExternalId).Select(h => h.ExternalId).FirstAsync();
            vm = row.Id.ToString();
        }

        var cut = RenderAs<WavesPage>(User("u-rita", "Rita", "Requester"));
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText($"VM,Kind,TargetHost,Wave,Justification\n{vm},Compute,{host},rack-a,why\n", "wave.csv"));
        cut.WaitForAssertion(() => Assert.Contains("wave.csv", cut.Find("[data-testid=wave-file]").TextContent));

        cut.Find("[data-testid=wave-validate]").Click();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=wave-result], [data-testid=wave-errors], [data-testid=wave-error]")), TimeSpan.FromSeconds(30));
        // The page's error text, only when there is no result (the message is not built when the result is there).
        if (cut.FindAll("[data-testid=wave-result]").Count != 1) Assert.Fail(cut.Find("[data-testid=wave-errors], [data-testid=wave-error]").TextContent);
        Assert.Contains("Valid: 1 row(s) in 1 wave(s)", cut.Find("[data-testid=wave-result]").TextContent);
        Assert.Contains("rack-a", cut.Find("[data-testid=wave-table]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=wave-error-row]"));
    }
}
