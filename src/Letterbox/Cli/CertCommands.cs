using System.CommandLine;
using Letterbox.Hosting;

namespace Letterbox.Cli;

/// <summary><c>letterbox cert show [--dev]</c>: the certificate the server uses, with its SHA-256 fingerprint.</summary>
internal static class CertCommands
{
    public static Command Create(CliOptions cli)
    {
        var show = new Command("show", "Show the server certificate and its SHA-256 fingerprint");
        show.Options.Add(cli.Dev);
        show.SetAction((result, ct) => CliErrors.RunAsync(() =>
        {
            var dev = result.GetValue(cli.Dev);
            var options = cli.Load(result, dev, null);
            var host = LetterboxServer.ResolveHostName(options, dev);
            var tls = LetterboxServer.LoadCertificate(options, host, dev);
            var cert = tls.Certificate;
            Console.WriteLine($"source:      {tls.Source}");
            Console.WriteLine($"subject:     {cert.Subject}");
            Console.WriteLine($"issuer:      {cert.Issuer}");
            Console.WriteLine($"names:       {string.Join(", ", cert.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames().Concat(e.EnumerateIPAddresses().Select(i => i.ToString()))))}");
            Console.WriteLine($"valid:       {cert.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC to {cert.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC");
            Console.WriteLine($"covers {host.Value}: {(Net.CertificateStore.Covers(cert, host.Value) ? "yes" : "NO")}");
            Console.WriteLine($"SHA-256:     {tls.Sha256Fingerprint}");
            return Task.FromResult(0);
        }));
        var command = new Command("cert", "The server's TLS certificate");
        command.Subcommands.Add(show);
        return command;
    }
}
