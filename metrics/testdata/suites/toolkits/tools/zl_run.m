% Zheng Liu's fusionAssess.m metrics, run unmodified under Octave on the suite test triples.
warning('off','all');
addpath('/work/oracle-23a/octpath'); addpath('/work/oracle-23a/zl'); addpath('/work/oracle-23a/zl/pyr/matlabPyrTools');
pkg load image
dir_ = getenv('SUITEDIR'); names = strsplit(getenv('TRIPLES'), ',');
fid = fopen(getenv('OUTFILE'), 'w');
fprintf(fid, '{\n');
for t = 1:numel(names)
  n = names{t};
  A = double(rgb2gray_matlab(imread([dir_ '/' n '_A.png'])));
  B = double(rgb2gray_matlab(imread([dir_ '/' n '_B.png'])));
  F = double(rgb2gray_matlab(imread([dir_ '/' n '_F.png'])));
  c0 = cputime; tic; res = evalc_quiet(@() fusionAssess(A, B, {F})); el = toc; cpu = cputime - c0;
  fprintf(fid, '  "%s": {"seconds": %.4f, "cpu_seconds": %.4f, "values": [', n, el, cpu);
  for k = 1:numel(res)
    v = res(k);
    if k > 1, fprintf(fid, ', '); end
    if ~isreal(v), v = real(v); end
    if isnan(v), fprintf(fid, 'null'); else fprintf(fid, '%.17g', v); end
  end
  fprintf(fid, ']}');
  if t < numel(names), fprintf(fid, ','); end
  fprintf(fid, '\n');
end
fprintf(fid, '}\n'); fclose(fid);
