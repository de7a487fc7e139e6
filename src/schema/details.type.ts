/** Run details: console output, the machine, git, curves, dependencies; a project's columns. */
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from './connection.type';
import { DateTimeScalar } from './scalars';

export enum OutputStreamEnum {
  STDOUT = 'STDOUT',
  STDERR = 'STDERR',
}
registerEnumType(OutputStreamEnum, { name: 'OutputStream', description: 'Which console stream a line was printed to.' });

export enum HtmlModeEnum {
  REPLACE = 'REPLACE',
  APPEND = 'APPEND',
}
registerEnumType(HtmlModeEnum, { name: 'HtmlMode', description: 'Whether new HTML replaces the stored HTML or is added after it.' });

export enum ColumnSourceEnum {
  METRIC = 'METRIC',
  PARAMETER = 'PARAMETER',
  OTHER = 'OTHER',
  TAG = 'TAG',
  METADATA = 'METADATA',
  SYSTEM = 'SYSTEM',
}
registerEnumType(ColumnSourceEnum, { name: 'ColumnSource', description: 'Where the values of a project column come from.' });

@ObjectType({ description: 'One line of console output. Its text is data: never render it as HTML.' })
export class OutputLine {
  @Field(() => Int, { description: "0-based position in the run's whole output." })
  offset!: number;

  @Field()
  text!: string;

  @Field(() => OutputStreamEnum, { description: 'STDOUT where the backend keeps no streams (capabilities.details.outputStreams).' })
  stream!: OutputStreamEnum;

  @Field(() => DateTimeScalar, { nullable: true })
  timestamp!: number | null;
}

@ObjectType()
export class OutputLineConnection extends Connection(OutputLine, 'OutputLine') {}

@ObjectType()
export class Gpu {
  @Field(() => Int, { nullable: true })
  index!: number | null;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true })
  uuid!: string | null;

  @Field(() => Float, { nullable: true, description: 'Bytes.' })
  totalMemory!: number | null;
}

@ObjectType()
export class KeyValue {
  @Field()
  key!: string;

  @Field()
  value!: string;
}

@ObjectType({ description: 'The machine and process a run ran in.' })
export class SystemDetails {
  @Field(() => String, { nullable: true }) hostname!: string | null;
  @Field(() => String, { nullable: true }) user!: string | null;
  @Field(() => String, { nullable: true }) os!: string | null;
  @Field(() => String, { nullable: true }) osType!: string | null;
  @Field(() => String, { nullable: true }) osRelease!: string | null;
  @Field(() => Int, { nullable: true }) pid!: number | null;
  @Field(() => [String]) command!: string[];
  @Field(() => String, { nullable: true }) executable!: string | null;
  @Field(() => String, { nullable: true }) pythonVersion!: string | null;
  @Field(() => Float, { nullable: true, description: 'Bytes.' }) totalRam!: number | null;
  @Field(() => [Gpu]) gpus!: Gpu[];
  @Field(() => [String], { description: 'Installed (Python) packages, as `name==version`.' }) installedPackages!: string[];
  @Field(() => [String]) osPackages!: string[];
  @Field(() => [KeyValue], { description: 'Anything else logged about the system.' }) additional!: KeyValue[];
}

@ObjectType({ description: 'The git state a run was started from.' })
export class GitInfo {
  @Field(() => String, { nullable: true }) commit!: string | null;
  @Field(() => String, { nullable: true }) branch!: string | null;
  @Field(() => String, { nullable: true }) origin!: string | null;
  @Field(() => String, { nullable: true }) root!: string | null;
  @Field(() => String, { nullable: true }) user!: string | null;
}

@ObjectType({ description: 'A curve logged with a run (ROC, precision/recall…): points (x[i], y[i]).' })
export class Curve {
  @Field() name!: string;
  @Field(() => Int, { nullable: true }) step!: number | null;
  @Field(() => [Float]) x!: number[];
  @Field(() => [Float]) y!: number[];
}

@ObjectType()
export class Dependency {
  @Field() name!: string;
  @Field() version!: string;
}

@ObjectType({ description: 'A column the runs of a project can be shown, filtered or ordered by.' })
export class ProjectColumn {
  @Field() name!: string;
  @Field(() => ColumnSourceEnum) source!: ColumnSourceEnum;
  @Field(() => String, { nullable: true, description: 'string, boolean, double, datetime or timenumber, when known.' }) type!: string | null;
}

@ObjectType({ description: 'What the backend does with run details.' })
export class DetailsCapabilities {
  @Field({ description: 'Run details are kept at all (otherwise every detail field and mutation is refused with reason UNSUPPORTED).' })
  supported!: boolean;

  @Field({ description: 'Output lines keep their stream and time, and output(stream:) filters (otherwise lines read back as STDOUT without a time).' })
  outputStreams!: boolean;

  @Field({ description: 'Dependencies logged can be read back (otherwise Experiment.dependencies is refused).' })
  dependencies!: boolean;
}
