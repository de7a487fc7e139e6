/** Inputs of the run-detail mutations. Values are checked in the service (src/backends/shared/details-input.ts). */
import { Field, Float, InputType, Int } from 'type-graphql';
import { HtmlModeEnum, OutputStreamEnum } from './details.type';
import { IdempotentInput } from './mutation.input';
import { DateTimeScalar } from './scalars';

@InputType()
export class GpuInput {
  @Field(() => Int, { nullable: true }) index?: number | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) uuid?: string | null;
  @Field(() => Float, { nullable: true, description: 'Bytes.' }) totalMemory?: number | null;
}

@InputType()
export class KeyValueInput {
  @Field() key!: string;
  @Field() value!: string;
}

@InputType({ description: 'Fields left out stay as they are; a list given replaces the stored one.' })
export class SystemDetailsInput {
  @Field(() => String, { nullable: true }) hostname?: string | null;
  @Field(() => String, { nullable: true }) user?: string | null;
  @Field(() => String, { nullable: true }) os?: string | null;
  @Field(() => String, { nullable: true }) osType?: string | null;
  @Field(() => String, { nullable: true }) osRelease?: string | null;
  @Field(() => Int, { nullable: true }) pid?: number | null;
  @Field(() => [String], { nullable: true }) command?: string[] | null;
  @Field(() => String, { nullable: true }) executable?: string | null;
  @Field(() => String, { nullable: true }) pythonVersion?: string | null;
  @Field(() => Float, { nullable: true, description: 'Bytes.' }) totalRam?: number | null;
  @Field(() => [GpuInput], { nullable: true }) gpus?: GpuInput[] | null;
  @Field(() => [String], { nullable: true }) installedPackages?: string[] | null;
  @Field(() => [String], { nullable: true }) osPackages?: string[] | null;
  @Field(() => [KeyValueInput], { nullable: true }) additional?: KeyValueInput[] | null;
}

@InputType({ description: 'Replaces the stored git state whole.' })
export class GitInfoInput {
  @Field(() => String, { nullable: true }) commit?: string | null;
  @Field(() => String, { nullable: true }) branch?: string | null;
  @Field(() => String, { nullable: true }) origin?: string | null;
  @Field(() => String, { nullable: true }) root?: string | null;
  @Field(() => String, { nullable: true }) user?: string | null;
}

@InputType()
export class DependencyInput {
  @Field() name!: string;
  @Field() version!: string;
}

@InputType({ description: 'Only the fields given change. A git patch is uploaded as an asset: createAssetUpload with type "git-patch".' })
export class UpdateRunDetailsInput extends IdempotentInput {
  @Field() experimentKey!: string;
  @Field(() => String, { nullable: true, description: 'Source snapshot; any characters, kept as sent.' }) code?: string | null;
  @Field(() => SystemDetailsInput, { nullable: true }) systemDetails?: SystemDetailsInput | null;
  @Field(() => GitInfoInput, { nullable: true }) git?: GitInfoInput | null;
  @Field(() => String, { nullable: true, description: 'Stored and returned as data; the gateway never renders it.' }) html?: string | null;
  @Field(() => HtmlModeEnum, { nullable: true, description: 'Default REPLACE.' }) htmlMode?: HtmlModeEnum | null;
  @Field(() => String, { nullable: true }) modelGraph?: string | null;
  @Field(() => [DependencyInput], { nullable: true, description: 'Replaces the stored list.' }) dependencies?: DependencyInput[] | null;
}

@InputType()
export class OutputLineInput {
  @Field({ description: 'One line, without a line break (one trailing newline is dropped).' }) text!: string;
  @Field(() => OutputStreamEnum, { defaultValue: OutputStreamEnum.STDOUT }) stream!: OutputStreamEnum;
  @Field(() => DateTimeScalar, { nullable: true }) timestamp?: number | null;
}

@InputType()
export class AppendOutputInput extends IdempotentInput {
  @Field() experimentKey!: string;
  @Field(() => [OutputLineInput], { description: 'At most 10,000 lines and 4 Mi characters per call; all are stored or none.' })
  lines!: OutputLineInput[];
}

@InputType()
export class LogCurveInput extends IdempotentInput {
  @Field() experimentKey!: string;
  @Field() name!: string;
  @Field(() => [Float]) x!: number[];
  @Field(() => [Float]) y!: number[];
  @Field(() => Int, { nullable: true }) step?: number | null;
}

@InputType()
export class SetProjectNotesInput extends IdempotentInput {
  @Field() workspace!: string;
  @Field() project!: string;
  @Field({ description: 'Replaces the notes; stored and returned as data.' }) notes!: string;
}

@InputType({ description: 'Fields left out stay as they are.' })
export class UpdateExperimentInput extends IdempotentInput {
  @Field() experimentKey!: string;
  @Field(() => String, { nullable: true, description: 'New name; null clears it. Refused where capabilities.experiments.rename is false.' }) name?: string | null;
}

@InputType({ description: 'Fields left out stay as they are.' })
export class UpdateProjectInput extends IdempotentInput {
  @Field() workspace!: string;
  @Field({ description: 'The project as it is named now.' }) name!: string;
  @Field(() => String, { nullable: true }) newName?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => Boolean, { nullable: true }) isPublic?: boolean | null;
}

@InputType()
export class DeleteProjectInput extends IdempotentInput {
  @Field() workspace!: string;
  @Field() name!: string;
  @Field({ defaultValue: false, description: 'Delete its experiments (archived ones too) with it; without it a non-empty project is refused (BAD_USER_INPUT, reason NOT_EMPTY).' })
  force!: boolean;
}

@InputType()
export class DeleteAssetInput extends IdempotentInput {
  @Field() experimentKey!: string;
  @Field() assetId!: string;
}

@InputType()
export class DeleteModelVersionInput extends IdempotentInput {
  @Field() workspace!: string;
  @Field() modelName!: string;
  @Field() version!: string;
}
