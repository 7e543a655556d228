import {BaseCommand, jsonFlag} from './base-command.js';

export default class Doctor extends BaseCommand {
  static override summary = 'Say which runtimes are usable here (Docker engine, process runtime) and which tools are on PATH';
  static override description = 'Exits 0 whatever it finds: it reports, it does not judge.';
  static override examples = ['<%= config.bin %> doctor', 'DOCKER_HOST=unix:///run/user/1000/docker.sock <%= config.bin %> doctor --json'];
  static override flags = {...jsonFlag};

  async run(): Promise<void> {
    const {flags} = await this.parse(Doctor);
    this.jsonMode = flags.json;
    const [{runDoctor}, {formatReport}] = await Promise.all([import('../doctor/doctor.js'), import('../doctor/format-report.js')]);
    const report = await runDoctor();
    if (flags.json) this.printJson(report);
    else process.stdout.write(formatReport(report));
  }
}
