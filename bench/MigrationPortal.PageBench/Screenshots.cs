using Microsoft.Playwright;

namespace MigrationPortal.PageBench;

/// <summary>
/// Screenshots of every main page on the labelled demo inventory (plus ten demo requests in each state, so the request,
/// approval and audit pages have content), in three variants: light and dark at 1400x900 (the browser's colour scheme,
/// which the portal follows by default) and mobile at 390x844. Each is taken once the page is interactive with its
/// data (PageTimer's definition), full page, as docs/screenshots/&lt;page&gt;-light.png, -dark.png and -mobile.png.
/// </summary>
internal static class Screenshots
{
    public static async Task RunAsync(IBrowser browser, string root, string folder)
    {
        Directory.CreateDirectory(folder);
        var data = Path.Combine(Path.GetTempPath(), $"mp-shots-{Guid.NewGuid():N}");
        try
        {
            var seeded = await PageSeeder.SeedAsync(data, 0, 10, withDemo: true);
            await using var portal = await PortalProcess.StartAsync(root, data, demo: true);
            var pages = PageTimer.MainPages(seeded);
            foreach (var (variant, scheme, width, height) in new[]
                     { ("light", ColorScheme.Light, 1400, 900), ("dark", ColorScheme.Dark, 1400, 900), ("mobile", ColorScheme.Light, 390, 844) })
            {
                await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
                {
                    BaseURL = portal.BaseUrl, ColorScheme = scheme, ViewportSize = new ViewportSize { Width = width, Height = height },
                    IsMobile = variant == "mobile", HasTouch = variant == "mobile",
                });
                await context.AddInitScriptAsync(PageTimer.InitScript);
                // Generous: on a loaded 2-core machine signing in (password hashing) alone took over 30 s.
                context.SetDefaultTimeout(180_000);
                context.SetDefaultNavigationTimeout(180_000);
                var page = await context.NewPageAsync();
                await page.GotoAsync("/login");
                await page.Locator("input[name=userName]").WaitForAsync();
                await Shoot(page, folder, "login", variant);
                await PageTimer.SignInAsync(page, seeded.UserName, seeded.Password);
                foreach (var p in pages)
                {
                    await PageTimer.LoadAsync(page, p.Path, 180_000);
                    // The theme follows the browser's scheme once the circuit has asked for it; wait for it, then for
                    // MudBlazor's transitions to settle.
                    await page.Locator($"main[data-theme={(scheme == ColorScheme.Dark ? "dark" : "light")}]").WaitForAsync(new() { Timeout = 10_000 });
                    await page.WaitForTimeoutAsync(400);
                    await Shoot(page, folder, p.Name, variant);
                    if (p.Name == "optimize")
                    {
                        // The page's point is the what-if: ask for the first group's balance recommendation and shoot that too.
                        await page.Locator("[data-testid=optimize-run]").ClickAsync();
                        await page.Locator("[data-testid=optimize-result], [data-testid=optimize-error]").First.WaitForAsync();
                        await page.WaitForTimeoutAsync(600);
                        await Shoot(page, folder, "optimize-recommendation", variant);
                    }
                }
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    private static async Task Shoot(IPage page, string folder, string name, string variant)
    {
        var file = Path.Combine(folder, $"{name}-{variant}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        Console.WriteLine($"  {Path.GetFileName(file)}");
    }
}
