using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Batches;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.EndToEnd.Tests;

/// <summary>
/// Issue 13 §4, search and lists, in the browser: the inventory's filters, sorting, empty state, multi-select and whole
/// names; the approvals inbox (batch card, search, several decided at once, paging); the audit trail (filters by part,
/// readable details, a total and pager past 200 rows); the windows form (every field error in one round, no pre-filled
/// past start, the zone picker, no library text, a 14-day blackout's real end). The calendar is covered elsewhere.
/// </summary>
public sealed class ListsJourneyTests(PortalServer portal) : IClassFixture<PortalServer>
{
    private static ILocator Rows(IPage page) => page.Locator("[data-testid=inventory-grid] tbody tr:has(a[href^='/vms/'])");

    private static Task<IReadOnlyList<string>> NamesAsync(IPage page) => Rows(page).Locator("a[href^='/vms/']").AllInnerTextsAsync();

    /// <summary>Waits until the grid shows exactly this many VMs (the filters apply as the user types, after a short pause).</summary>
    private static async Task<IReadOnlyList<string>> WaitForRowsAsync(IPage page, Func<IReadOnlyList<string>, bool> ok)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<string> names;
        while (!ok(names = await NamesAsync(page)))
        {
            if (clock.ElapsedMilliseconds > 15_000) throw new TimeoutException("The grid shows: " + string.Join(", ", names));
            await page.WaitForTimeoutAsync(100);
        }

        return names;
    }

    [Fact]
    public async Task Inventory_FiltersByAnyCaseAndPartAsYouType_SortsByName_ExplainsAnEmptyList_AndRequestsTheSelection_WhenARequesterSearches()
    {
        var page = await Journey.OpenAsync(portal, "rita", "/inventory");
        var all = await WaitForRowsAsync(page, n => n.Count == 15);
        Assert.All(all, n => Assert.StartsWith("demo-payments-", n));

        // Name: another case and a part of the name, applied as she types (there is no button to press).
        await Journey.Field(page, "filter-name").PressSequentiallyAsync("PAYMENTS-0");
        var named = await WaitForRowsAsync(page, n => n.Count < 15);
        Assert.Equal(["demo-payments-01", "demo-payments-05", "demo-payments-09"], named);
        await Journey.Field(page, "filter-name").FillAsync("");
        await WaitForRowsAsync(page, n => n.Count == 15);

        // Host and cluster: parts, any case (they needed the exact name).
        await Journey.Field(page, "filter-host").PressSequentiallyAsync("ESX-A");
        await WaitForRowsAsync(page, n => n.Count is > 0 and < 15);
        var hosts = await Rows(page).Locator("td:nth-child(4)").AllInnerTextsAsync();
        Assert.All(hosts, h => Assert.StartsWith("demo-esx-a", h.Trim()));
        await Journey.Field(page, "filter-host").FillAsync("");
        await WaitForRowsAsync(page, n => n.Count == 15);
        await Journey.Field(page, "filter-cluster").PressSequentiallyAsync("cluster-b");
        var inB = await WaitForRowsAsync(page, n => n.Count is > 0 and < 15);
        Assert.All(await Rows(page).Locator("td:nth-child(5)").AllInnerTextsAsync(), c => Assert.Equal("Demo-Cluster-B", c.Trim()));
        Assert.Equal(5, inB.Count);
        await Journey.Field(page, "filter-cluster").FillAsync("");
        await WaitForRowsAsync(page, n => n.Count == 15);

        // Nothing matches: the list says why.
        await Journey.Field(page, "filter-name").FillAsync("zzz-nothing");
        var empty = page.Locator("[data-testid=inventory-empty]");
        await empty.WaitForAsync();
        Assert.Contains("No VM matches these filters", await empty.InnerTextAsync());
        await Journey.Field(page, "filter-name").FillAsync("");
        await WaitForRowsAsync(page, n => n.Count == 15);

        // Name sorts both ways.
        var header = page.Locator("[data-testid=inventory-grid] th", new() { HasText = "Name" }).Locator(".sortable-column-header, .column-header").First;
        await header.ClickAsync();
        await header.ClickAsync();
        var descending = await WaitForRowsAsync(page, n => n.Count == 15 && n[0] == "demo-payments-57");
        Assert.Equal(descending.OrderByDescending(n => n, StringComparer.Ordinal), descending);

        // Several ticked, one button: the wizard opens with them.
        var button = page.Locator("[data-testid=request-selected]");
        Assert.False(await button.IsEnabledAsync());
        await Rows(page).Nth(0).Locator("input[type=checkbox]").CheckAsync();
        await Rows(page).Nth(1).Locator("input[type=checkbox]").CheckAsync();
        await page.Locator("[data-testid=request-selected]", new() { HasText = "Request migration (2)" }).WaitForAsync();
        Assert.True(await button.IsEnabledAsync());
        await button.ClickAsync();
        // Blazor navigates inside the page (no load event): wait for the address itself.
        await page.WaitForFunctionAsync("() => location.pathname === '/requests/new'");
        Assert.Equal(2, new Uri(page.Url).Query.Split('&').Count(p => p.TrimStart('?').StartsWith("vm=")));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Inventory_KeepsNamesWhole_AndTellsAnOwnerOfNothingWhy_WhenTheListIsNarrowOrEmpty()
    {
        // A phone-width window: names do not break mid-word (the table scrolls instead).
        var page = await Journey.OpenAsync(portal, "rita", "/inventory", width: 390);
        await WaitForRowsAsync(page, n => n.Count == 15);
        var broken = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('[data-testid=inventory-grid] tbody tr')].flatMap(tr => [...tr.querySelectorAll('td')].slice(1, 5))" +
            ".filter(td => td.textContent.trim().length > 0 && (getComputedStyle(td).whiteSpace !== 'nowrap' || [...td.querySelectorAll('a')].some(a => a.getClientRects().length > 1)))" +
            ".map(td => td.textContent.trim())");
        Assert.Empty(broken);
        await page.Context.CloseAsync();

        // A requester who owns nothing is told why the list is empty and what to do.
        await Journey.CreateUserAsync(portal, "nina", "Nina", Roles.Requester);
        var nina = await Journey.OpenAsync(portal, "nina", "/inventory");
        var empty = nina.Locator("[data-testid=inventory-empty]");
        await empty.WaitForAsync();
        Assert.Contains("You own no application yet", await empty.InnerTextAsync());
        Assert.Contains("Ask an administrator", await empty.InnerTextAsync());
        await nina.Context.CloseAsync();
    }

    [Fact]
    public async Task ApprovalsInbox_ShowsTheBatchAndItsWhy_SearchesPagesAndDecidesSeveral_WhenManyRequestsWait()
    {
        // 11 single requests by Rita and a batch of 3 by Otto: 14 waiting, two pages.
        var singles = new List<Guid>();
        foreach (var n in new[] { 1, 5, 9, 13, 17, 21, 25, 29, 33, 37, 41 })
            singles.Add(await Journey.SubmitAsync(portal, "rita", $"demo-payments-{n:00}", $"Inbox journey single {n:00}"));
        var otto = await Journey.UserAsync(portal, "otto");
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var vms = await db.Vms.Where(v => v.Name == "demo-crm-02" || v.Name == "demo-crm-06" || v.Name == "demo-crm-10").OrderBy(v => v.Name).ToListAsync();
            var items = new List<SubmitBatch.Item>();
            foreach (var vm in vms)
            {
                var target = await db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).OrderBy(h => h.Name).FirstAsync();
                items.Add(new SubmitBatch.Item(vm.Id, MigrationKind.Compute, true, target.ExternalId, null));
            }

            await scope.ServiceProvider.GetRequiredService<SubmitBatch>().HandleAsync(otto, new SubmitBatch.Command("crm-rebalance", "CRM hosts are rebalanced before the upgrade", items));
        }

        var page = await Journey.OpenAsync(portal, "anna", "/approvals");
        var count = page.Locator("[data-testid=inbox-count]");
        await count.WaitForAsync();
        Assert.Equal("14 of 14 waiting", (await count.InnerTextAsync()).Trim());

        // Paging: ten to a page, the rest on the next.
        Assert.Equal(10, await page.Locator("[data-testid=inbox-item]").CountAsync());
        var pager = page.Locator("[data-testid=inbox-pager]");
        await pager.WaitForAsync();
        var firstPage = await page.Locator("[data-testid=inbox-item]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.vm)");
        await pager.Locator("button", new() { HasText = "2" }).ClickAsync();
        await Journey.TextWhenAsync(page.Locator("[data-testid=inbox-count]"), _ => true);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await page.Locator("[data-testid=inbox-item]").CountAsync() != 4 && clock.ElapsedMilliseconds < 10_000) await page.WaitForTimeoutAsync(100);
        var secondPage = await page.Locator("[data-testid=inbox-item]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.vm)");
        Assert.Equal(4, secondPage.Length);
        Assert.Empty(firstPage.Intersect(secondPage));
        Assert.Equal(14, firstPage.Concat(secondPage).Distinct().Count());

        // Search by part of a name, any case: the batch card lists its members and the requester's why.
        await Journey.Field(page, "inbox-search").FillAsync("CRM-");
        await Journey.TextWhenAsync(count, t => t.Trim() == "3 of 14 waiting");
        Assert.Equal(0, await page.Locator("[data-testid=inbox-pager]").CountAsync());
        var batch = page.Locator("[data-testid=batch]");
        await batch.WaitForAsync();
        Assert.Contains("Batch of 3 request(s)", await batch.InnerTextAsync());
        var members = await batch.Locator("[data-testid=batch-member]").AllInnerTextsAsync();
        Assert.Equal(3, members.Count);
        Assert.Contains(members, m => m.Contains("demo-crm-06") && m.Contains("Compute live to"));
        Assert.Equal("Why: CRM hosts are rebalanced before the upgrade", (await batch.Locator("[data-testid=batch-justification]").InnerTextAsync()).Trim());

        // The kind filter: nothing waiting is a conversion.
        await Journey.PickAsync(page, "[data-testid=inbox-kind]", "CrossPlatform");
        await page.Locator("[data-testid=inbox-no-match]").WaitForAsync();
        await Journey.PickAsync(page, "[data-testid=inbox-kind]", "All kinds");
        await Journey.Field(page, "inbox-search").FillAsync("payments");
        await Journey.TextWhenAsync(count, t => t.Trim() == "11 of 14 waiting");

        // Several selected, one decision, confirmed in a dialog and then a snackbar.
        var items2 = page.Locator("[data-testid=inbox-item]");
        var chosen = new[] { await items2.Nth(0).GetAttributeAsync("data-vm"), await items2.Nth(1).GetAttributeAsync("data-vm") };
        await items2.Nth(0).Locator("[data-testid=inbox-select] input, input[data-testid=inbox-select]").First.CheckAsync();
        await items2.Nth(1).Locator("[data-testid=inbox-select] input, input[data-testid=inbox-select]").First.CheckAsync();
        var selection = page.Locator("[data-testid=selection]");
        await selection.WaitForAsync();
        Assert.Contains("2 selected", await selection.InnerTextAsync());
        await selection.Locator("[data-testid=approve]").ClickAsync();
        Assert.Contains("A comment is required", await selection.Locator(".mud-input-helper-text.mud-input-error").InnerTextAsync());
        await selection.Locator("textarea").First.FillAsync("Both fine for tonight");
        await selection.Locator("[data-testid=approve]").ClickAsync();
        var confirm = page.Locator(".mud-dialog", new() { HasText = "Approve 2 selected request(s)?" });
        await confirm.WaitForAsync();
        await confirm.Locator("button", new() { HasText = "Approve" }).ClickAsync();
        await Journey.SnackbarAsync(page, "Approved: 2 selected request(s).");
        await Journey.TextWhenAsync(count, t => t.Trim() == "9 of 12 waiting");
        var left = await page.Locator("[data-testid=inbox-item]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.vm)");
        Assert.Empty(left.Intersect(chosen));

        // The batch decided as one, after its own confirmation.
        await Journey.Field(page, "inbox-search").FillAsync("crm");
        await Journey.TextWhenAsync(count, t => t.Trim() == "3 of 12 waiting");
        await batch.Locator("textarea").First.FillAsync("Rebalance approved");
        await batch.Locator("[data-testid=approve]").ClickAsync();
        var batchConfirm = page.Locator(".mud-dialog", new() { HasText = "Approve the batch of 3 request(s)?" });
        await batchConfirm.WaitForAsync();
        await batchConfirm.Locator("button", new() { HasText = "Approve" }).ClickAsync();
        await Journey.SnackbarAsync(page, "Approved: the batch of 3 request(s).");
        await Journey.TextWhenAsync(count, t => t.Trim() == "0 of 9 waiting");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AuditTrail_FiltersByPart_ShowsLabelledDetails_AndPagesPast200WithATotal_WhenTheTrailIsLong()
    {
        const int seeded = 230;
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var at = TimeProvider.System.GetUtcNow();
            for (var i = 0; i < seeded; i++)
                AuditLog.Record(db, at.AddMilliseconds(i), new Actor("journey", "Journey"), "journey.inventory-noted", "Vm", $"vm-{i}",
                    new { targetHost = "demo-esx-b1", note = "<b>kept as text</b> & \"quoted\"", index = i }, vmName: "demo-analytics-04");
            await db.SaveChangesAsync();
        }

        var page = await Journey.OpenAsync(portal, "aldo", "/audit");
        await page.Locator("[data-testid=audit-table]").WaitForAsync();

        // Parts of the action and of the VM's name.
        await Journey.Field(page, "filter-action").FillAsync("inventory-NOTED");
        await Journey.Field(page, "filter-vm").FillAsync("analytics-04");
        await page.ClickAsync("[data-testid=apply-filter]");
        var total = page.Locator("[data-testid=audit-total]");
        await Journey.TextWhenAsync(total, t => t.Trim() == $"{seeded} matching event(s)");
        var rows = page.Locator("[data-testid=audit-table] tbody tr:has([data-testid=audit-details])");
        Assert.Equal(50, await rows.CountAsync());

        // Details as label and value pairs, markup shown as text, no JSON escapes.
        var details = rows.First.Locator("[data-testid=audit-details]");
        var labels = await details.Locator("dt").AllInnerTextsAsync();
        Assert.Equal(["Target host", "Note", "Index"], labels.Select(l => l.Trim()));
        var detailsText = await details.InnerTextAsync();
        Assert.Contains("<b>kept as text</b> & \"quoted\"", detailsText);
        Assert.DoesNotContain("\\u003C", detailsText);
        Assert.DoesNotContain("{", detailsText);
        Assert.Equal(0, await details.Locator("b").CountAsync());

        // 200 to a page, then the next page holds the rest: nothing stops at 200.
        await Journey.PickAsync(page, "[data-testid=audit-table] .mud-table-pagination .mud-select", "200");
        await Journey.TextWhenAsync(total, t => t.Trim() == $"{seeded} matching event(s)");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await rows.CountAsync() != 200 && clock.ElapsedMilliseconds < 10_000) await page.WaitForTimeoutAsync(100);
        Assert.Equal(200, await rows.CountAsync());
        await page.Locator("[data-testid=audit-table] .mud-table-pagination-actions button:not([disabled])").Last.ClickAsync();
        clock.Restart();
        while (await rows.CountAsync() != seeded - 200 && clock.ElapsedMilliseconds < 10_000) await page.WaitForTimeoutAsync(100);
        Assert.Equal(seeded - 200, await rows.CountAsync());
        Assert.Contains($"201-{seeded} of {seeded}", (await page.Locator("[data-testid=audit-table] .mud-table-pagination").InnerTextAsync()).Replace("–", "-"));

        // A filter nothing matches says so.
        await Journey.Field(page, "filter-action").FillAsync("no-such-action");
        await page.ClickAsync("[data-testid=apply-filter]");
        await page.Locator("[data-testid=audit-empty]").WaitForAsync();
        await Journey.TextWhenAsync(total, t => t.Trim() == "0 matching event(s)");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WindowsForm_ShowsEveryFieldErrorAtOnce_StartsEmpty_PicksZones_AndShowsABlackoutsRealEnd_WhenAnOperatorEditsPeriods()
    {
        var page = await Journey.OpenAsync(portal, "olga", "/windows");
        await page.Locator("[data-testid=period-form]").WaitForAsync();

        // No example values: nothing that is already in the past, nothing saved unread.
        foreach (var field in new[] { "period-name", "period-expression", "period-zone", "period-start", "period-duration" })
            Assert.Equal("", await Journey.Field(page, field).InputValueAsync());

        // Save with nothing filled in: every field's message at once, beside its field, in words of the portal.
        await page.ClickAsync("[data-testid=period-save]");
        await page.Locator("[data-testid=windows-message]", new() { HasText = "Some fields need attention" }).WaitForAsync();
        foreach (var field in new[] { "period-name", "period-expression", "period-zone", "period-start", "period-duration" })
            Assert.True(await Journey.FieldError(page, field).IsVisibleAsync(), $"No message beside {field}.");
        var formText = await page.Locator("[data-testid=period-form]").InnerTextAsync();
        Assert.DoesNotContain("(Parameter", formText);
        Assert.DoesNotContain("Exception", formText);

        // A zone that does not exist is refused beside the field, again without library text.
        await Journey.Field(page, "period-name").FillAsync("e2e-bad-zone");
        await Journey.Field(page, "period-name").BlurAsync();
        await Journey.Field(page, "period-zone").FillAsync("Mars/Olympus_Mons");
        // Close the suggestions first: while open, their overlay takes the next click.
        await page.Keyboard.PressAsync("Escape");
        await Journey.Field(page, "period-zone").BlurAsync();
        await page.Locator(".mud-popover-open").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await page.ClickAsync("[data-testid=period-save]");
        // The second round has answered once the name's message is gone.
        await Journey.FieldError(page, "period-name").WaitForAsync(new() { State = WaitForSelectorState.Hidden });
        var zoneError = Journey.FieldError(page, "period-zone");
        await zoneError.WaitForAsync();
        Assert.DoesNotContain("(Parameter", await zoneError.InnerTextAsync());

        // The zone picker finds a zone by part of its city, any case.
        await Journey.Field(page, "period-zone").FillAsync("new york");
        var suggestion = page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "America/New_York" }).First;
        await suggestion.WaitForAsync();
        await suggestion.ClickAsync();
        await page.Locator(".mud-popover-open").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        var zone = Journey.Field(page, "period-zone");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await zone.InputValueAsync() != "America/New_York" && clock.ElapsedMilliseconds < 10_000) await page.WaitForTimeoutAsync(100);
        Assert.Equal("America/New_York", await zone.InputValueAsync());

        // A 14-day blackout shows the day it really ends, not "00:00–00:00".
        var start = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime).AddDays(40);
        await page.Locator(".mud-select", new() { Has = page.Locator("label", new() { HasTextString = "Type" }) }).First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Blackout (change freeze)" }).ClickAsync();
        await page.Locator(".mud-popover-open").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await page.Locator(".mud-select", new() { Has = page.Locator("label", new() { HasTextString = "Repeats" }) }).First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Once" }).ClickAsync();
        await page.Locator(".mud-popover-open").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await Journey.Field(page, "period-name").FillAsync("e2e-year-end-freeze");
        await Journey.Field(page, "period-name").BlurAsync();
        await Journey.Field(page, "period-zone").FillAsync("Etc/UTC");
        await Journey.Field(page, "period-zone").BlurAsync();
        await Journey.Field(page, "period-start").FillAsync(start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " 00:00");
        await Journey.Field(page, "period-start").BlurAsync();
        await Journey.Field(page, "period-duration").FillAsync((14 * 24 * 60).ToString(CultureInfo.InvariantCulture));
        await Journey.Field(page, "period-duration").BlurAsync();
        await page.ClickAsync("[data-testid=period-save]");
        await page.Locator("[data-testid=windows-message]", new() { HasText = "Saved." }).WaitForAsync();
        var row = page.Locator("[data-testid=blackouts] tr", new() { HasText = "e2e-year-end-freeze" });
        var next = (await row.Locator("[data-testid=next-occurrences]").InnerTextAsync()).Trim();
        var end = start.AddDays(14);
        Assert.Equal($"{start:yyyy-MM-dd} 00:00–{end:yyyy-MM-dd} 00:00", next);
        await page.Context.CloseAsync();
    }
}
