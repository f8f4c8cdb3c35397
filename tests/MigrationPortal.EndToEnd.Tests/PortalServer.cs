using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.EndToEnd.Tests;

/// <summary>
/// The real portal on Kestrel (loopback, a free port), SQLite in a temporary folder, Hangfire's workers on, the demo
/// connector with 6-second migrations, and Debian's Chromium driven by Playwright. Users are local accounts made here.
/// When CI=true a missing browser is a failure; Playwright's own browser download is never used.
/// </summary>
public sealed class PortalServer : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Password = "Journey-pass-2026";
    public static readonly string ScreenshotDirectory = Path.Combine(RepositoryRoot(), "docs", "screenshots");
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"mp-e2e-{Guid.NewGuid():N}");

    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    /// <summary>Every Content-Security-Policy violation any page of any journey reported (expected to stay empty).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> CspViolations { get; } = new();

    public PortalServer() => UseKestrel(0);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("Database:DataDirectory", _data);
        builder.UseSetting("Hangfire:ServerEnabled", "true");
        builder.UseSetting("Hangfire:QueuePollInterval", "00:00:00.500");
        builder.UseSetting("Demo:MigrationDuration", "00:00:06");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.ConfigureLogging(l => l.AddSimpleConsole());
    }

    public async Task InitializeAsync()
    {
        StartServer();
        BaseUrl = ClientOptions.BaseAddress.ToString().TrimEnd('/');
        await SeedUsersAsync();
        Directory.CreateDirectory(ScreenshotDirectory);
        const string chromium = "/usr/bin/chromium";
        if (!File.Exists(chromium)) throw new InvalidOperationException($"{chromium} is missing: scripts/test.sh installs Debian's chromium package.");
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_data, true); } catch (IOException) { }
    }

    /// <summary>Rita owns demo-payments, Otto owns demo-crm, Anna approves, Aldo audits, Olga operates.</summary>
    private async Task SeedUsersAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<IAccountDirectory>();
        var ids = new Dictionary<string, string>();
        foreach (var (name, role) in new[] { ("rita", "Requester"), ("otto", "Requester"), ("anna", "Approver"), ("aldo", "Auditor"), ("olga", "Operator") })
        {
            var (id, errors) = await accounts.CreateAsync(name, char.ToUpperInvariant(name[0]) + name[1..], Password, [role], default);
            ids[name] = id ?? throw new InvalidOperationException(string.Join(" ", errors.SelectMany(e => e.Value)));
        }

        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var apps = await db.Applications.Include(a => a.Owners).ToListAsync();
        apps.Single(a => a.Name == "demo-payments").AddOwner(OwnerKind.User, ids["rita"]);
        apps.Single(a => a.Name == "demo-crm").AddOwner(OwnerKind.User, ids["otto"]);
        await db.SaveChangesAsync();
    }

    /// <summary>For failure messages: what the database says about a request.</summary>
    public async Task<string> DescribeRequestAsync(Guid id)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var r = await db.Requests.Include(x => x.Decisions).Include(x => x.Transitions).FirstAsync(x => x.Id == id);
        return $"{r.State}; decisions: {string.Join(", ", r.Decisions.Select(d => $"{d.ApproverName} {d.Verdict}"))}; transitions: {string.Join(" > ", r.Transitions.Select(t => t.To))}";
    }

    /// <summary>The portal's ID of a demo host and how many VMs the inventory places on it.</summary>
    public async Task<(Guid Id, int VmCount)> HostAsync(string externalId)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var id = await db.Hosts.Where(h => h.ExternalId == externalId).Select(h => h.Id).FirstAsync();
        return (id, await db.Vms.CountAsync(v => v.HostExternalId == externalId));
    }

    public async Task<IPage> SignInAsync(string user)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 900 }, AcceptDownloads = true, TimezoneId = "UTC" });
        await WatchContentSecurityPolicyAsync(context);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("input[name=userName]", user);
        await page.FillAsync("input[name=password]", Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/login"));
        return page;
    }

    /// <summary>
    /// Collects CSP violations two ways: the page's securitypolicyviolation event (reported through the console) and
    /// Chromium's own "Refused to ..." console errors, which also cover violations before any script runs.
    /// </summary>
    private async Task WatchContentSecurityPolicyAsync(IBrowserContext context)
    {
        await context.AddInitScriptAsync(
            "document.addEventListener('securitypolicyviolation', e => console.error('csp-violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber));");
        context.Console += (_, message) =>
        {
            if (message.Text.StartsWith("csp-violation:") || message.Text.Contains("Content Security Policy"))
                CspViolations.Enqueue($"{message.Location}: {message.Text}");
        };
    }

    /// <summary>Waits until Blazor's circuit is connected: before that, buttons do nothing.</summary>
    public static Task WaitInteractiveAsync(IPage page) => page.Locator("[data-testid=interactive]").WaitForAsync(new() { Timeout = 30_000 });

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MigrationPortal.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("MigrationPortal.sln not found above the test folder.");
    }
}
